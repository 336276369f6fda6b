"""What a downloaded picture is, and SVG made safe to keep.

Only the bytes say what an image is (servers send HTML error pages as
image/jpeg); an SVG is a document that can run script and load resources, so it
is kept only once nothing in it can. The CSS helpers here are shared with the
rewriting of the article's own inline styles (archive.images).
"""
from __future__ import annotations

import base64
import html as htmlmod
import re
from typing import Any

from lxml import etree

#: url(...) in CSS; the target is in one of three groups (double-, single- or unquoted).
CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))\s*\)""", re.IGNORECASE)
CSS_IMPORT = re.compile(r"@import\b[^;]*;?", re.IGNORECASE)
#: How article.html refers to a stored picture: images/<content hash>.<ext>.
LOCAL_REF = re.compile(r"^images/[0-9a-f]{16,64}\.[a-z0-9]{2,5}$")


def sniff_image(data: bytes) -> str | None:
    """File extension for image bytes, judged by their content (never the URL).

    Servers send HTML error pages with status 200 and image/* types with
    the wrong subtype; only the bytes can be believed.
    """
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[4:8] == b"ftyp" and data[8:12] in (b"avif", b"avis"):
        return "avif"
    if data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"mif1", b"msf1"):
        return "heic"
    if data[:2] == b"BM" and len(data) > 26 and data[6:10] == b"\0\0\0\0":
        return "bmp"
    if data[:4] in (b"\x00\x00\x01\x00", b"\x00\x00\x02\x00") and len(data) > 6:
        return "ico"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "tif"
    if _looks_like_svg(data):
        return "svg"
    return None


def _looks_like_svg(data: bytes) -> bool:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if not head.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype svg")):
        return False
    return b"<svg" in head


_SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_SVG_FORBIDDEN = {"script", "foreignobject", "iframe", "embed", "object", "handler", "listener",
                  "audio", "video", "canvas"}
_SVG_ANIMATIONS = {"set", "animate", "animatetransform", "animatemotion", "animatecolor"}
_SAFE_DATA_IMAGE = re.compile(r"^data:image/(?:png|jpeg|jpg|gif|webp);", re.IGNORECASE)


def local_name(name: str) -> str:
    return name.rsplit("}", 1)[-1].lower()


_IMAGE_SET = re.compile(r"(?:-webkit-)?image-set\(", re.IGNORECASE)
_CSS_STRING = re.compile(r"""["']([^"']*)["']""")
#: CSS that can make a browser load something (checked case-insensitively).
CSS_LOADERS = ("url(", "image-set(", "@import")


def neutralize_image_sets(css: str) -> str:
    """Replace image-set(...) that names a non-local file with ``none``.

    image-set() may name files as bare strings, which the url() rewrite
    does not see; parentheses are matched by depth because url() nests.
    """
    out, pos = [], 0
    for match in _IMAGE_SET.finditer(css):
        if match.start() < pos:
            continue
        depth, end = 1, match.end()
        while end < len(css) and depth:
            depth += {"(": 1, ")": -1}.get(css[end], 0)
            end += 1
        span = css[match.start():end]
        strings = _CSS_STRING.findall(span)
        local = all(LOCAL_REF.match(v.strip()) or v.strip() == "none" for v in strings)
        out.append(css[pos:match.start()])
        out.append(span if local else "none")
        pos = end
    out.append(css[pos:])
    return "".join(out)


def _clean_css(text: str) -> str:
    """CSS with @import gone and every url() not pointing inside the document."""
    text = CSS_IMPORT.sub("", text)

    def keep_fragments(match: re.Match[str]) -> str:
        target = next((g for g in match.groups() if g is not None), "").strip()
        return match.group(0) if target.startswith("#") else "none"

    return neutralize_image_sets(CSS_URL.sub(keep_fragments, text))


def sanitize_svg(data: bytes) -> bytes | None:
    """An SVG without scripts, event handlers, foreignObject or external references.

    Returns None when the file cannot be parsed as SVG at all; the caller
    then drops the picture rather than keep something unchecked.  Entities
    are not expanded and no DTD or network access happens while parsing.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    if root is None or not isinstance(root.tag, str) or local_name(root.tag) != "svg":
        return None
    for element in list(root.iter()):
        if element is not root and not isinstance(element.tag, str):
            remove_keeping_tail(element)  # entity references and the like
            continue
        if not isinstance(element.tag, str):
            continue
        namespace = element.tag[1:].split("}", 1)[0] if element.tag.startswith("{") else ""
        name = local_name(element.tag)
        if name in _SVG_FORBIDDEN or namespace not in ("", _SVG_NS):
            remove_keeping_tail(element)
            continue
        if name in _SVG_ANIMATIONS:
            target = (element.get("attributeName") or "").lower()
            if "href" in target or target.startswith("on") or target == "style":
                remove_keeping_tail(element)
                continue
        for attr, value in list(element.attrib.items()):
            local = local_name(attr)
            lowered = value.strip().lower()
            if local.startswith("on") or "javascript:" in lowered or "vbscript:" in lowered:
                del element.attrib[attr]
            elif local == "href" or local == "src":
                if not (lowered.startswith("#") or _SAFE_DATA_IMAGE.match(lowered)):
                    del element.attrib[attr]
            elif local == "style" or "url(" in lowered:
                element.set(attr, _clean_css(value))
        if name == "style" and element.text:
            element.text = _clean_css(element.text)
    return etree.tostring(root, encoding="utf-8", xml_declaration=True)


def remove_keeping_tail(element: Any) -> None:
    """Remove an element but keep the text that followed it."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    previous = element.getprevious()
    parent.remove(element)
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail


# -- inline SVG (parsed as HTML) back to an SVG file ----------------------------------------
#: Inline SVG bigger than this (a detailed map) is not kept as a picture.
MAX_INLINE_SVG_BYTES = 2 * 1024 * 1024
#: SVG names are case-sensitive, but the HTML parser lower-cases them; these are
#: the mixed-case ones (the HTML standard's "adjust SVG attributes/tag names").
_SVG_TAGS = {name.lower(): name for name in """
    altGlyph altGlyphDef altGlyphItem animateColor animateMotion animateTransform clipPath
    feBlend feColorMatrix feComponentTransfer feComposite feConvolveMatrix feDiffuseLighting
    feDisplacementMap feDistantLight feDropShadow feFlood feFuncA feFuncB feFuncG feFuncR
    feGaussianBlur feImage feMerge feMergeNode feMorphology feOffset fePointLight
    feSpecularLighting feSpotLight feTile feTurbulence foreignObject glyphRef linearGradient
    radialGradient textPath""".split()}
_SVG_ATTRS = {name.lower(): name for name in """
    attributeName attributeType baseFrequency baseProfile calcMode clipPathUnits
    diffuseConstant edgeMode filterUnits glyphRef gradientTransform gradientUnits kernelMatrix
    kernelUnitLength keyPoints keySplines keyTimes lengthAdjust limitingConeAngle markerHeight
    markerUnits markerWidth maskContentUnits maskUnits numOctaves pathLength
    patternContentUnits patternTransform patternUnits pointsAtX pointsAtY pointsAtZ
    preserveAlpha preserveAspectRatio primitiveUnits refX refY repeatCount repeatDur
    requiredExtensions requiredFeatures specularConstant specularExponent spreadMethod
    startOffset stdDeviation stitchTiles surfaceScale systemLanguage tableValues targetX
    targetY textLength viewBox viewTarget xChannelSelector yChannelSelector zoomAndPan""".split()}


def svg_data_uri(svg: Any) -> str | None:
    """An inline ``<svg>`` element of an HTML tree as a sanitized
    ``data:image/svg+xml;base64,…`` URI, or None if it is too big or not valid SVG."""
    markup = _svg_markup(svg)
    if markup is None:
        return None
    cleaned = sanitize_svg(markup.encode("utf-8"))
    if cleaned is None:
        return None
    return "data:image/svg+xml;base64," + base64.b64encode(cleaned).decode("ascii")


def _svg_markup(svg: Any) -> str | None:
    """The element as standalone SVG text: names in their proper case, the SVG
    namespace declared, prefixed names other than xlink: and xml: left out (their
    namespaces are not declared). Iterative, so deep trees are safe."""
    out: list[str] = []
    size = 0
    walker = etree.iterwalk(svg, events=("start", "end"))
    for event, el in walker:
        name = _SVG_TAGS.get(el.tag, el.tag) if isinstance(el.tag, str) else ""
        keep = bool(name) and ":" not in name
        if event == "start":
            if not keep:
                walker.skip_subtree()
                continue
            attrs = [name]
            if el is svg:
                attrs.append('xmlns="http://www.w3.org/2000/svg" '
                             'xmlns:xlink="http://www.w3.org/1999/xlink"')
            for attr, value in el.attrib.items():
                key = _SVG_ATTRS.get(attr, attr)
                if key.startswith("xmlns") or (":" in key and not key.startswith(("xlink:", "xml:"))):
                    continue
                attrs.append(f'{key}="{htmlmod.escape(value, quote=True)}"')
            out.append(f"<{' '.join(attrs)}>{htmlmod.escape(el.text or '', quote=False)}")
        else:
            if keep:
                out.append(f"</{name}>")
            if el.tail and el is not svg:
                out.append(htmlmod.escape(el.tail, quote=False))
        size += len(out[-1]) if out else 0
        if size > MAX_INLINE_SVG_BYTES:
            return None
    return "".join(out)
