"""Reader themes and reading settings (font, size, line width, spacing).

A theme is a CSS file in resources/themes/. Its `body` rule gives the page
colours, which are also used for the widget palette so the margins around the
text column match the page; `.quire-highlight` gives the colours of search
matches. The reading font is not in the CSS: it comes from the settings, so
one choice of font applies to every theme.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QGuiApplication, QPalette

from resources import resource_path

THEMES_DIR = resource_path("themes")
THEME_NAMES = ["light", "sepia", "dark"]
THEME_CHOICES = ["system", *THEME_NAMES]
DEFAULT_FAMILIES = ["Charter", "Georgia", "Source Serif Pro", "Noto Serif", "DejaVu Serif", "serif"]
LINE_WIDTHS = {"Narrow": 560, "Medium": 680, "Wide": 820}
LINE_SPACINGS = {"Compact": 135, "Comfortable": 155, "Airy": 180}


@dataclass
class ReadingSettings:
    """What the reader looks like; stored in QSettings under reader/."""

    theme: str = "system"
    font_family: str = ""  # empty: the first installed of DEFAULT_FAMILIES
    font_size: float = 13.0  # points; follows the system font unless the user changed it
    line_width: int = 680
    line_spacing: int = 155  # percent

    @classmethod
    def load(cls, settings: QSettings) -> ReadingSettings:
        base = QGuiApplication.font().pointSizeF()
        default_size = max(11.0, round(base * 1.25, 1)) if base > 0 else 13.0
        return cls(
            theme=str(settings.value("reader/theme", "system")),
            font_family=str(settings.value("reader/font_family", "")),
            font_size=float(settings.value("reader/font_size", default_size)),
            line_width=int(settings.value("reader/line_width", 680)),
            line_spacing=int(settings.value("reader/line_spacing", 155)),
        )

    def save(self, settings: QSettings) -> None:
        settings.setValue("reader/theme", self.theme)
        settings.setValue("reader/font_family", self.font_family)
        settings.setValue("reader/font_size", self.font_size)
        settings.setValue("reader/line_width", self.line_width)
        settings.setValue("reader/line_spacing", self.line_spacing)

    def effective_theme(self) -> str:
        """'system' resolved to light or dark from the platform's colour scheme."""
        if self.theme in THEME_NAMES:
            return self.theme
        hints = QGuiApplication.styleHints()
        return "dark" if hints.colorScheme() == Qt.ColorScheme.Dark else "light"

    def font(self) -> QFont:
        font = QFont()
        font.setFamilies([self.font_family] if self.font_family else DEFAULT_FAMILIES)
        font.setPointSizeF(self.font_size)
        return font


@dataclass
class Theme:
    name: str
    css: str
    background: QColor
    text: QColor
    highlight_bg: QColor
    highlight_fg: QColor

    @property
    def is_dark(self) -> bool:
        return self.background.lightness() < 110


def _rule(css: str, selector: str, prop: str, default: str) -> QColor:
    m = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", css)
    if m:
        p = re.search(r"(?:^|;)\s*" + re.escape(prop) + r"\s*:\s*([^;]+)", m.group(1))
        if p:
            return QColor(p.group(1).strip())
    return QColor(default)


@cache
def _read_css(name: str) -> str:
    # Read once at start-up; a few hundred bytes, not worth a worker.
    return (THEMES_DIR / f"{name}.css").read_text(encoding="utf-8")


def load_theme(name: str, settings: ReadingSettings | None = None) -> Theme:
    """The theme's CSS with the reading spacing appended, and its colours."""
    name = name if name in THEME_NAMES else "light"
    css = _read_css(name)
    if settings is not None:
        css += f"\nbody {{ line-height: {settings.line_spacing}%; }}\n" + typography_css(settings)
    return Theme(
        name=name,
        css=css,
        background=_rule(css, "body", "background-color", "#ffffff"),
        text=_rule(css, "body", "color", "#222222"),
        highlight_bg=_rule(css, ".quire-highlight", "background-color", "#ffe28a"),
        highlight_fg=_rule(css, ".quire-highlight", "color", "#1d1d1d"),
    )


def typography_css(settings: ReadingSettings) -> str:
    """Font sizes and spacing for the reading size, in pt and px.

    Qt's rich text ignores `em` in font sizes and takes it as a fixed ~14 px in
    margins, so sizes written in the theme files never followed the reading
    size. Here each is worked out from the font: a book's rhythm at 9 pt and
    at 30 pt alike — paragraphs most of a line apart, a picture well apart
    from the text, its caption close under it and a clear space after it."""
    size = settings.font_size
    em = QFontMetricsF(settings.font()).height()  # one line of text, px

    def px(factor: float) -> str:
        return f"{max(1, round(em * factor))}px"

    def pt(factor: float) -> str:
        return f"{size * factor:.1f}pt"

    return f"""
h1.title {{ margin-top: {px(0.2)}; margin-bottom: {px(0.45)}; }}
p.byline {{ font-size: {pt(0.86)}; margin-top: 0; margin-bottom: {px(0.3)}; }}
p.links {{ font-size: {pt(0.86)}; margin-top: 0; margin-bottom: {px(1.5)}; }}
p.placeholder {{ font-size: {pt(1.1)}; margin-top: 120px; }}
p {{ margin-top: 0; margin-bottom: {px(0.75)}; }}
h2 {{ font-size: {pt(1.35)}; margin-top: {px(1.4)}; margin-bottom: {px(0.35)}; }}
h3 {{ font-size: {pt(1.15)}; margin-top: {px(1.1)}; margin-bottom: {px(0.25)}; }}
pre {{ font-size: {pt(0.9)}; }}
p.picture {{ margin-top: {px(1.0)}; margin-bottom: {px(1.1)}; line-height: 100%; text-align: center; }}
p.captioned {{ margin-top: {px(1.0)}; margin-bottom: {px(0.3)}; line-height: 100%; text-align: center; }}
p.caption, div.caption {{ font-size: {pt(0.85)}; line-height: 135%; text-align: center;
  margin-top: 0; margin-bottom: {px(1.5)}; }}
"""


def reader_palette(base: QPalette, theme: Theme) -> QPalette:
    """The reader widget's palette: the page colour fills the margins too."""
    pal = QPalette(base)
    pal.setColor(QPalette.ColorRole.Base, theme.background)
    pal.setColor(QPalette.ColorRole.Window, theme.background)
    pal.setColor(QPalette.ColorRole.Text, theme.text)
    return pal


def app_palette(dark: bool) -> QPalette:
    """A calm palette for the whole window, dark when the reader is dark."""
    pal = QPalette()
    if dark:
        colors = {
            QPalette.ColorRole.Window: "#232427",
            QPalette.ColorRole.WindowText: "#dddad3",
            QPalette.ColorRole.Base: "#1c1d20",
            QPalette.ColorRole.AlternateBase: "#26282c",
            QPalette.ColorRole.Text: "#dddad3",
            QPalette.ColorRole.Button: "#2c2e33",
            QPalette.ColorRole.ButtonText: "#dddad3",
            QPalette.ColorRole.Highlight: "#3d5a80",
            QPalette.ColorRole.HighlightedText: "#ffffff",
            QPalette.ColorRole.ToolTipBase: "#2c2e33",
            QPalette.ColorRole.ToolTipText: "#dddad3",
            QPalette.ColorRole.PlaceholderText: "#8d8a84",
            QPalette.ColorRole.Link: "#8ab4f8",
            QPalette.ColorRole.Mid: "#3a3c42",
            QPalette.ColorRole.Dark: "#111214",
        }
    else:
        colors = {
            QPalette.ColorRole.Window: "#f3f1ec",
            QPalette.ColorRole.WindowText: "#26231f",
            QPalette.ColorRole.Base: "#ffffff",
            QPalette.ColorRole.AlternateBase: "#f7f5f1",
            QPalette.ColorRole.Text: "#26231f",
            QPalette.ColorRole.Button: "#ebe8e1",
            QPalette.ColorRole.ButtonText: "#26231f",
            QPalette.ColorRole.Highlight: "#d7e5f8",
            QPalette.ColorRole.HighlightedText: "#14213d",
            QPalette.ColorRole.ToolTipBase: "#fffdf6",
            QPalette.ColorRole.ToolTipText: "#26231f",
            QPalette.ColorRole.PlaceholderText: "#8a857d",
            QPalette.ColorRole.Link: "#1f5fb4",
            QPalette.ColorRole.Mid: "#d6d2c9",
        }
    for role, value in colors.items():
        pal.setColor(role, QColor(value))
    return pal


def window_stylesheet(dark: bool) -> str:
    """Light touches on the panes: roomy inputs, flat lists, quiet toolbar."""
    border = "#3a3c42" if dark else "#d6d2c9"
    focus = "#5b8fd6" if dark else "#2f7de1"
    pane = "#232427" if dark else "#f3f1ec"
    hover = "#2c2e33" if dark else "#e9e5dd"
    return f"""
    QLineEdit {{ padding: 5px 8px; border: 1px solid {border}; border-radius: 6px; }}
    QLineEdit:focus {{ border: 1px solid {focus}; }}
    QListView#results {{ border: 1px solid {border}; border-radius: 6px; }}
    QTreeView#tagTree {{ border: none; background: {pane}; padding-top: 2px; }}
    QTreeView#tagTree::item {{ padding: 3px 2px; }}
    QTreeView#tagTree::item:hover {{ background: {hover}; }}
    QListView#articleTags {{ border: 1px solid {border}; border-radius: 6px; }}
    QLabel#paneHeading {{ font-weight: 600; padding-top: 6px; }}
    QLabel#resultCount {{ color: palette(placeholder-text); }}
    QToolBar#mainToolbar {{ border: none; spacing: 4px; padding: 3px 6px; }}
    QToolBar#mainToolbar QToolButton {{ padding: 4px 9px; border-radius: 5px; }}
    QToolBar#mainToolbar QToolButton:hover {{ background: {hover}; }}
    QSplitter::handle {{ background: {border}; }}
    QSplitter::handle:horizontal {{ width: 1px; }}
    QStatusBar {{ border-top: 1px solid {border}; }}
    """
