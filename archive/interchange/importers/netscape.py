"""Netscape bookmark files: browsers, Pocket's old HTML export, Karakeep, Linkwarden, Pinboard.

The format is not well-formed HTML (<DT> is never closed, folders are an <H3>
followed by a <DL>), so a tree parser guesses the nesting wrong; an event
parser that keeps a stack of open folders reads it the way browsers write it.
Folders become tags (each folder ONE tag, whatever its name holds: see
items.folder_tag), except the browsers' own root folders, which every bookmark
is in and so say nothing: those marked PERSONAL_TOOLBAR_FOLDER or
UNFILED_BOOKMARKS_FOLDER, and an outermost folder with a root's name in one of
the browsers' languages (ROOT_FOLDERS). A <DD> after a bookmark is its
description (a note the user wrote), kept as the article's description.

Read state: Pinboard (and our own export) write TOREAD="1" for unread and
TOREAD="0" for read; an explicit TOREAD decides, and without one a bookmark is
unread unless it sits under Pocket's "Read Archive" heading (browsers' bookmarks
were never "read"). STARRED="1" marks a favourite and ARCHIVED="1" an archived
article: our exporter writes them (other services ignore attributes they do not
know, while tags would clutter their tag lists), so an export reads back whole.
"""
from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from archive.interchange.importers.items import (
    ImportItem,
    ImportProblem,
    ParseResult,
    check_url,
    clean_text,
    folder_tag,
    iso_from_timestamp,
    link_title,
    read_text,
)

#: The names browsers give their own root folders (every bookmark is in one, so they say
#: nothing about it), in the main languages of Firefox, Chrome/Chromium, Edge, Safari and
#: Internet Explorer. Lower-cased. Only an outermost folder is dropped by name (a user's
#: own "Favorites" folder inside another stays a tag); a folder marked with
#: PERSONAL_TOOLBAR_FOLDER or UNFILED_BOOKMARKS_FOLDER is a root in any language.
ROOT_FOLDERS = {
    # English
    "bookmarks", "bookmarks bar", "bookmarks toolbar", "bookmarks menu", "other bookmarks",
    "mobile bookmarks", "favorites", "favourites", "favorites bar", "favourites bar",
    "other favorites", "other favourites", "mobile favorites", "bookmarksbar", "bookmarks_bar",
    "reading list", "imported", "imported from firefox", "imported from chrome",
    "imported from edge", "imported from safari", "unsorted bookmarks", "links",
    # French
    "favoris", "barre de favoris", "barre des favoris", "autres favoris", "favoris sur mobile",
    "barre personnelle", "barre des marque-pages", "menu des marque-pages", "autres marque-pages",
    "marque-pages des appareils mobiles", "marque-pages", "signets", "menu des signets",
    "barre des signets", "liste de lecture", "liens",
    # German
    "lesezeichen", "lesezeichen-symbolleiste", "lesezeichenleiste", "lesezeichen-menü",
    "lesezeichenmenü", "weitere lesezeichen", "andere lesezeichen", "mobile lesezeichen",
    "favoriten", "favoritenleiste", "weitere favoriten", "andere favoriten", "mobile favoriten",
    "leseliste",
    # Spanish
    "marcadores", "barra de marcadores", "barra de herramientas de marcadores",
    "menú de marcadores", "otros marcadores", "marcadores del móvil", "marcadores en el móvil",
    "marcadores móviles", "favoritos", "barra de favoritos", "otros favoritos",
    "favoritos móviles", "menú favoritos", "lista de lectura",
    # Portuguese
    "menu de favoritos", "outros favoritos", "favoritos em dispositivos móveis",
    "favoritos do celular", "barra de marcadores", "outros marcadores", "lista de leitura",
    # Italian
    "segnalibri", "barra dei segnalibri", "menu segnalibri", "altri segnalibri",
    "segnalibri dispositivi mobili", "preferiti", "barra dei preferiti", "altri preferiti",
    "preferiti su dispositivi mobili", "elenco lettura",
    # Dutch
    "bladwijzers", "bladwijzerbalk", "bladwijzerwerkbalk", "bladwijzermenu",
    "andere bladwijzers", "mobiele bladwijzers", "favorietenbalk", "andere favorieten",
    # Polish, Russian, Japanese, Chinese
    "zakładki", "pasek zakładek", "inne zakładki", "zakładki na telefonie", "menu zakładek",
    "закладки", "панель закладок", "меню закладок", "другие закладки",
    "закладки на мобильном", "мобильные закладки",
    "ブックマーク", "ブックマーク バー", "ブックマークバー", "ブックマークツールバー",
    "ブックマークメニュー", "その他のブックマーク", "他のブックマーク", "モバイルのブックマーク",
    "书签", "书签栏", "书签工具栏", "书签菜单", "其他书签", "移动设备书签", "收藏夹", "收藏夹栏",
}
#: Attributes with which browsers mark their root folders on the <H3>, whatever its name.
ROOT_ATTRIBUTES = ("personal_toolbar_folder", "unfiled_bookmarks_folder")
_TRUE = {"1", "yes", "true", "on"}
_FALSE = {"0", "no", "false", "off"}
#: Pocket's HTML export splits items under these <h1> headings.
_POCKET_ARCHIVE_HEADINGS = {"read archive", "archive"}


class _BookmarkParser(HTMLParser):
    def __init__(self, file_name: str) -> None:
        super().__init__(convert_charrefs=True)
        self.file_name = file_name
        self.results: list[ImportItem | ImportProblem] = []
        #: one entry per open <DL>/<UL>: the folder's tag, None for none (a root, a list
        #: without a heading)
        self.folders: list[str | None] = []
        self._headed: list[bool] = []  # per open list: whether an <H3> named it
        self.pending_folder: str | None = None
        self.pending_root = False  # the <H3> just read carries a root-folder attribute
        self.in_archive_section = False
        self._text: list[str] | None = None  # text of the open <a>, <h1> or <h3>
        self._link: tuple[dict[str, str], int] | None = None
        self._h3_attrs: dict[str, str] = {}
        self._last_item: ImportItem | None = None  # the bookmark a <DD> describes
        self._dd: list[str] | None = None  # text of the open <DD>

    # -- events -----------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("dt", "dl", "ul", "li", "a", "h1", "h3", "hr"):
            self._end_description()
        if tag == "a":
            self._link = ({k.lower(): (v or "") for k, v in attrs}, self.getpos()[0])
            self._text = []
        elif tag in ("h1", "h3"):
            self._text = []
            self._h3_attrs = {k.lower(): (v or "") for k, v in attrs} if tag == "h3" else {}
            self._last_item = None  # a <DD> after a folder describes the folder
        elif tag == "dd" and self._last_item is not None:
            self._dd = []
        elif tag == "br" and self._dd is not None:
            self._dd.append("\n")
        elif tag in ("dl", "ul"):
            self.folders.append(self._folder_tag())
            self._headed.append(self.pending_folder is not None)
            self.pending_folder, self.pending_root = None, False

    def _folder_tag(self) -> str | None:
        """The tag of the folder whose list opens now, or None for a browser root."""
        name = self.pending_folder
        if name is None or self.pending_root:
            return None
        outermost = not any(self._headed)
        if outermost and name.lower() in ROOT_FOLDERS:
            return None
        return folder_tag(name) or None

    def _end_description(self) -> None:
        if self._dd is not None and self._last_item is not None:
            text = clean_text("".join(self._dd))
            if text:
                self._last_item.description = text
        self._dd = None

    def handle_endtag(self, tag: str) -> None:
        if tag in ("dd", "dl", "ul"):
            self._end_description()
        if tag == "a" and self._link is not None:
            attrs, line = self._link
            self._add_bookmark(attrs, line, "".join(self._text or []))
            self._link, self._text = None, None
        elif tag == "h3" and self._text is not None:
            self.pending_folder = " ".join("".join(self._text).split()) or None
            self.pending_root = any(_flag(self._h3_attrs, name, default=False)
                                    for name in ROOT_ATTRIBUTES)
            self._text = None
        elif tag == "h1" and self._text is not None:
            heading = " ".join("".join(self._text).split()).lower()
            self.in_archive_section = heading in _POCKET_ARCHIVE_HEADINGS
            self._text = None
        elif tag in ("dl", "ul") and self.folders:
            self.folders.pop()
            self._headed.pop()

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)
        elif self._dd is not None:
            self._dd.append(data)

    # -- items --------------------------------------------------------------
    def _add_bookmark(self, attrs: dict[str, str], line: int, text: str) -> None:
        where = f"{self.file_name} line {line}"
        url = attrs.get("href", "").strip()
        title = link_title(" ".join(text.split()), url)
        problem = check_url(url)
        self._last_item = None
        if problem:
            label = f" ({title})" if title else ""
            self.results.append(ImportProblem(where, f"{problem}{label}"))
            return
        folder_tags = [f for f in self.folders if f]
        attr_tags = [t for t in attrs.get("tags", "").split(",")]
        saved = None
        raw_date = attrs.get("add_date") or attrs.get("time_added")
        if raw_date:
            try:
                saved = iso_from_timestamp(raw_date)
            except (ValueError, OverflowError, OSError):
                self.results.append(
                    ImportProblem(where, f"date {raw_date!r} is not a Unix time; imported "
                                         "without it", skipped=False)
                )
        self._last_item = ImportItem(
            url=url,
            title=title,
            saved=saved,
            tags=folder_tags + attr_tags,
            is_read=_flag(attrs, "toread", inverse=True, default=self.in_archive_section),
            is_archived=_flag(attrs, "archived", default=self.in_archive_section),
            is_favorite=_flag(attrs, "starred", default=False),
            source_key=None,
        )
        self.results.append(self._last_item)


def _flag(attrs: dict[str, str], name: str, *, default: bool, inverse: bool = False) -> bool:
    """A yes/no attribute (TOREAD="1", STARRED="true"); `default` when absent or unclear.
    `inverse` for TOREAD, which says unread when set."""
    value = attrs.get(name, "").strip().lower()
    if value in _TRUE:
        return not inverse
    if value in _FALSE:
        return inverse
    return default


def parse(path: Path) -> ParseResult:
    """Yield one ImportItem per <A HREF> in a Netscape bookmark file."""
    path = Path(path)
    parser = _BookmarkParser(path.name)
    parser.feed(read_text(path))
    parser.close()
    parser._end_description()
    if parser._link is not None:  # file cut off inside a link
        attrs, line = parser._link
        parser._add_bookmark(attrs, line, "".join(parser._text or []))
    if not any(isinstance(r, ImportItem) for r in parser.results) and not parser.results:
        yield ImportProblem(path.name, "no bookmarks (<A HREF=…>) found in the file")
    yield from parser.results
