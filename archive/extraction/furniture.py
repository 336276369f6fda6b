"""Remove the page furniture readability keeps inside an article container.

readability picks the right container but keeps what publishers put inside it
besides the story: captions and credits, share bars, related-link lists, player
text, newsletter boxes, teasers, and the headline, standfirst, byline and
dateline lines that the reader shows from the metadata. These rules are about
kinds of page furniture, named by the words publishers use for them in class/id
attributes and in the text itself, never about particular sites.
"""
from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement

from archive.extraction.htmlparse import element_text

#: class/id words of page furniture inside article containers.
FURNITURE_WORDS = frozenset(
    """
    caption captions credit credits copyright byline bylines dateline timestamp share shares
    sharing sharebar social related relatedlinks recommended recommendation recommendations
    newsletter newsletters subscribe subscription signup promo promotion advert advertisement
    advertising ad ads adslot adunit sponsor sponsored outbrain taboola tags taglist breadcrumb
    breadcrumbs comments comment disclaimer toolbar popup modal offscreen sronly
    visuallyhidden screenreader player playlist controls overlay readmore teaser teasers cta
    rollover tooltip hovercard popover embed embedded video trending authorbox
    rating ratings disclosure affiliate calendar legend
    """.split()
)
#: Whole class names that hide an element (responsive ones like "hidden-xs" do not).
HIDING_CLASSES = frozenset(
    "hidden hide is-hidden d-none display-none u-hidden visually-hidden sr-only screen-reader-text "
    "offscreen off-screen element-invisible".split()
)
#: Furniture words that still leave a quoted post (blockquote) inside alone.
_QUOTE_WRAPPER_WORDS = frozenset("embed embedded video player social overlay controls".split())
#: Furniture words for things that frame a picture: the picture itself is kept.
PICTURE_FURNITURE_WORDS = frozenset("caption captions credit credits copyright player overlay controls legend".split())
#: Inline tags: running text may sit inside them.
INLINE_TAGS = frozenset("a abbr b cite code em font i mark q s small span strong sub sup time u".split())
#: class/id words of a standfirst ("dek") or summary shown above the story.
DEK_WORDS = frozenset(
    "dek deck standfirst subtitle subhead subheadline summary abstract excerpt strapline kicker tagline".split()
)
#: Whole-block texts that are furniture in any article (captions, credits,
#: teasers, widget text); only checked on short blocks.
FURNITURE_TEXT = re.compile(
    r"""^\W*(?:
      advert(?:isement)?|ad|close|share(?:\s+(?:this|on|via)\b.*)?|comments?|(?:tags?|tagged|topics?)\s*:.*
    | related\s*(?::|articles?|stories|coverage|content|links?|posts?|reading|topics|videos?|news)\b.*
    | read\s+more\b.*|more\s+(?:on|from|about)\b.*|see\s+also\b.*|also\s*(?:on|read|see)?\s*:.*
    | recommended(?:\s+(?:for\s+you|reading|stories|articles|videos?))?\s*:?|you\s+(?:may|might)\s+(?:also\s+)?(?:like|enjoy)\b.*|don.?t\s+miss\b.*
    | (?:watch|listen|download|itunes)\s*:.*|click\s+(?:here|to)\b.*|sign\s+up\b.*|subscribe\b.*
    | (?:image|photo|picture|video|media)\s*(?:copyright|caption|credit|source)\b.*
    | \(?(?:photo|image|picture|video|illustration|graphic|source|credit)s?(?:\s+credit)?\s*:.*
    | (?:getty(?:\s+images)?|reuters|ap(?:\s+photo)?|afp|shutterstock|istock|epa)\W*
    | media\s+playback\b.*|this\s+(?:slideshow|video|content)\s+requires\b.*
    | video\s+(?:loading|unavailable)\b.*|click\s+to\s+play\b.*|(?:image|slide|photo)\s+\d+\s+(?:of|/)\s+\d+.*
    | filed\s+(?:under|in)\s*:.*|posted\s+in\s*:.*
    | follow\s+(?:us|him|her|me|them|@\w+)\b.*|like\s+this\s+(?:story|article)\b.*|skip\s+(?:ad|advert)\b.*
    )\W*$""",
    re.I | re.X,
)
#: Staff credits and contact lines that close news stories; may be a little longer.
CREDIT_TEXT = re.compile(
    r"""^\W*(?:
      \(?(?:additional\s+)?(?:reporting|writing|editing|compiled|produced)\s+by\b.*
    | .*\bcontributed\s+(?:to\s+)?this\s+(?:report|story|article)\b.*
    | (?:e-?mail|contact|write\s+to)\s+\S+(?:\s+\S+)?\s+at\s+\S+@.*
    | .*\bfollow\s+(?:him|her|them|us|me)\s+(?:on|at)\s+(?:twitter|facebook|instagram|x)\b.*
    )$""",
    re.I | re.X,
)
#: Affiliate and advertiser disclosures opening or closing a post, in a block of
#: credit length: "This post contains references to products from our advertisers",
#: "We may earn a commission", "Dieser Beitrag enthält Affiliate-Links".
DISCLOSURE_TEXT = re.compile(
    r"""\b(?:
      this\s+(?:post|article|page|site|review|story)\s+(?:may\s+)?contains?\s+(?:affiliate|references\s+to\s+products|sponsored)
    | we\s+(?:may\s+)?(?:receive|earn|get)\s+(?:a\s+)?(?:small\s+)?(?:compensation|commission)
    | (?:dieser\s+(?:beitrag|artikel)|diese\s+seite)\s+enthält\s+(?:affiliate|werbe|provisions)
    | (?:erhalten|bekommen)\s+wir\s+(?:eine\s+)?(?:kleine\s+)?provision
    | cet\s+article\s+contient\s+des\s+liens\s+(?:affiliés|sponsorisés)
    | este\s+(?:artículo|post)\s+contiene\s+enlaces\s+de\s+afiliad
    )""",
    re.I | re.X,
)
#: Calls to subscribe or sign up, in a short block with a link.
PROMO_TEXT = re.compile(
    r"\b(?:sign\s+up|subscribe|subscription|newsletter|click\s+here|tap\s+here|"
    r"(?:download|get)\s+(?:the|our)\s+(?:free\s+)?app|"
    r"hier\s+klicken|jetzt\s+(?:registrieren|abonnieren|anmelden)|cliquez\s+ici|haz\s+clic|clic\s+aquí|"
    r"clicca\s+qui|klik\s+hier)\b",
    re.I,
)
#: Membership and paywall calls, with or without a link, in a block of credit length.
PAYWALL_TEXT = re.compile(
    r"""\b(?:
      already\s+a\s+subscriber|first.time\s+subscribers|log\s+in\s+for\s+(?:immediate\s+)?access
    | support\s+our\s+journalism|become\s+a\s+(?:member|subscriber)\s+(?:today|now)
    | unterstützen?\s+(?:sie\s+)?(?:uns|unsere\s+arbeit|unseren\s+journalismus)|bereits\s+abonnent
    | hazte\s+(?:miembro|socio)|apoya\s+(?:nuestro|el)\s+periodismo|soutenez\s+(?:notre|le)\s+journalisme
    | sostieni\s+il\s+(?:nostro\s+)?giornalismo
    )""",
    re.I | re.X,
)
#: The same widget lines in the other languages most pages are written in (German,
#: French, Spanish, Italian, Portuguese, Dutch, Polish): share and print buttons,
#: "read also" teasers, comment and rating prompts, picture and source credits,
#: "published in" stamps, membership calls, ad labels. Short blocks only, like
#: FURNITURE_TEXT; each alternative is the start of the block.
FURNITURE_TEXT_INTL = re.compile(
    r"""^\W*(?:
      (?:teilen|partager|compartir|condividi|compartilhe|compartilhar|delen|udostępnij)
      (?:\s+(?:sie\s+)?(?:dies|diesen|den|das|auf|mit|per|via|sur|par|ce|cet|cette|en|este|esta|su|questo|no|op|dit|na)\b.*)?
    | (?:drucken|imprimer|imprimir|stampa|afdrukken|drukuj)\W*$|pinnen\W*$|épingler\W*$
    | (?:rezept|recette|receta|ricetta|receita|recept|przepis|artikel|article|artículo|articolo)\s+
      (?:drucken|imprimer|imprimir|stampare|afdrukken|drukuj|teilen|partager|compartir)\b.*
    | (?:tipp|rezept|artikel)\s+(?:favorisieren|merken|speichern|bewerten)\b.*
    | (?:das\s+könnte\s+sie\s+auch\s+interessieren|ähnliche\s+(?:artikel|beiträge|themen)|weitere\s+(?:artikel|beiträge|news)
      |mehr\s+zum\s+thema|lesen\s+sie\s+auch|auch\s+interessant|(?:à\s+)?lire\s+aussi|voir\s+aussi|articles?\s+similaires
      |sur\s+le\s+même\s+sujet|lee\s+también|te\s+puede\s+interesar|noticias\s+relacionadas|leggi\s+anche
      |potrebbe\s+interessarti|articoli\s+correlati|veja\s+também|leia\s+também|lees\s+ook|gerelateerde\s+artikelen
      |zobacz\s+(?:też|także)|czytaj\s+(?:też|także))\b.*
    | (?:weiterlesen|mehr\s+lesen|lire\s+la\s+suite|leer\s+más|continua\s+a\s+leggere|leia\s+mais|lees\s+meer
      |czytaj\s+więcej)\b.*
    | (?:kommentare?|kommentieren|commentaires?|comentarios?|commenti|comentários|reacties|komentarze?)\b.*
    | (?:war\s+(?:der|dieser)\s+(?:artikel|beitrag)\s+(?:nützlich|hilfreich)|cet\s+article\s+vous\s+a-t-il
      |(?:te|le)\s+(?:ha\s+)?(?:resultado|parece)\s+útil|ti\s+è\s+stato\s+utile|was\s+dit\s+artikel\s+nuttig)\b.*
    | möchten\s+sie\s+(?:den|diesen)\s+(?:artikel|beitrag)\s+teilen\b.*
    | (?:titelbild|bildquelle|bildnachweis|foto|fotos|bild|crédits?\s+photos?|imagen|fotografía|immagine|créditos?)\s*:.*
    | (?:quelle|source|fuente|fonte|bron|źródło)\s*:.*
    | (?:dieser\s+(?:eintrag|beitrag|artikel)\s+wurde\s+(?:am\s+|in\s+|unter\s+)?(?:veröffentlicht|abgelegt)
      |veröffentlicht\s+(?:am|in|unter)|publié\s+(?:le|dans|par)|publicado\s+(?:el|en|por)|pubblicato\s+(?:il|in|da))\b.*
    | (?:schlagw(?:ö|o)rter|schlagworte?|stichw(?:ö|o)rter|stichworte?|mots?-clés?|etiquetas|kategorien?|catégories?|categorías?|categorie|rubrik)\s*:.*
    | (?:anzeige|werbung|publicité|publicidad|pubblicità|advertentie|reklama)\W*$
    | (?:newsletter\s+abonnieren|jetzt\s+abonnieren|abonnez-vous|suscríbete|iscriviti|assine|abonneer|hazte\s+(?:miembro|socio))\b.*
    | alle\s+angaben\s+ohne\s+gewähr\b.*|sans\s+garantie\b.*
    | (?:le\s+puede\s+interesar|puedes\s+ver|te\s+recomendamos|ti\s+potrebbe\s+interessare|vous\s+aimerez\s+aussi)\b.*
    | (?:keine\s+kommentare|noch\s+keine\s+(?:kommentare|bewertungen)|aucun\s+commentaire|sin\s+comentarios|nessun\s+commento)\b.*
    | \(?noch\s+keine\s+bewertungen\)?
    | (?:über\s+den\s+autor|über\s+die\s+autorin|à\s+propos\s+de\s+l'auteur|sobre\s+el\s+autor|sull'autore|about\s+the\s+author)\W*$
    | (?:quellenangaben|quellen|literatur|zum\s+weiterlesen|weiterführende\s+links)\s*:?
    | (?:wird\s+geladen|lade|chargement|cargando|caricamento)\W*$
    | this\s+(?:entry|post)\s+was\s+(?:posted|published|filed)\b.*|(?:photo|image)\s+by\s+\S+.*\bon\s+(?:unsplash|pexels|pixabay)\W*
    | (?:mit\s+unserem\s+newsletter|sie\s+sind\s+(?:aktuell\s+)?nicht\s+eingeloggt|vous\s+n'êtes\s+pas\s+connecté)\b.*
    )\W*$""",
    re.I | re.X,
)
#: Words of share, print, save and like buttons, in the languages most pages are
#: written in: a short block made of nothing else is a row of buttons ("Zum Rezept
#: Drucken Pinnen", "Gefällt mir Wird geladen…", "Share Tweet Pin Email").
WIDGET_WORDS = frozenset(
    """
    share shares tweet pin pinit print email mail e mail like likes loading save saved jump to recipe
    facebook twitter whatsapp pinterest linkedin xing telegram reddit flipboard messenger sms copy link
    teilen twittern pinnen drucken merken speichern favorisieren gefällt mir wird geladen zum rezept
    partager imprimer épingler enregistrer j aime chargement recette
    compartir imprimir guardar me gusta cargando receta
    condividi stampa salva mi piace caricamento ricetta
    compartilhar compartilhe imprimir curtir carregando receita
    delen afdrukken opslaan vind ik leuk laden recept
    udostępnij drukuj zapisz lubię to ładowanie przepis
    """.split()
)
MAX_WIDGET_WORDS = 8


#: A block that is one unrendered CMS shortcode: "[button link=...]Send us...[/button]".
SHORTCODE = re.compile(r"^\[(\w+)\b[^\]]*\].*\[/\1\]$")
#: A line that starts like a date stamp ("Updated …", "Published …"); extract.py keeps
#: such a line out of the story too.
STAMP = re.compile(r"^\W*(?:updated|published|posted|last\s+(?:updated|modified))\b", re.I)
_DATE_LINE = re.compile(
    r"\b(?:\d{1,2}:\d{2}\s*(?:[ap]\.?m\.?)?|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}"
    r"|\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4})\b",
    re.I,
)
_TAXONOMY_CLASS = re.compile(r"(?<!\S)(?:category|tag|format|type|status|postid|has-post)-\S*")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_WORDS = re.compile(r"\w+", re.UNICODE)
#: Paragraph-like blocks, as the header-line rule walks them.
LEAF_BLOCK_TAGS = frozenset("p div h1 h2 h3 h4 h5 h6 li dd dt blockquote pre table figure figcaption header".split())
#: Blocks with at most this many words can be judged as furniture by their text.
SHORT_BLOCK_WORDS = 25
CREDIT_BLOCK_WORDS = 45
LINK_LIST_WORDS = 80
#: Tags whose text the furniture rules look at as one block.
TEXT_BLOCK_TAGS = frozenset("p div h1 h2 h3 h4 h5 h6 li dd dt figcaption header footer aside section".split())


def class_words(el: HtmlElement) -> set[str]:
    """Words of an element's class and id: "relatedStories" -> related, stories.

    The taxonomy classes blog engines put on a post ("category-video", "tag-newsletter",
    "format-standard") name its topics, not the element's role: they are left out."""
    raw = f"{el.get('class', '')} {el.get('id', '')}"
    if len(raw) < 3:
        return set()
    if "-" in raw and _TAXONOMY_CLASS.search(raw):
        raw = _TAXONOMY_CLASS.sub(" ", raw)
    words = _NON_ALNUM.split(_CAMEL.sub(" ", raw).lower())
    joined = _NON_ALNUM.sub("", raw.lower())
    found = set(words)
    if HIDING_CLASSES.intersection(raw.lower().split()):
        found.add("hidden")
    # "visually-hidden", "sr-only", "off-screen", "read-more" are one idea in two words.
    for pair in ("visuallyhidden", "sronly", "offscreen", "screenreader", "readmore", "sharebar",
                 "relatedlinks", "signup"):
        if pair in joined:
            found.add(pair)
    if any(name in joined for name in _AUTHOR_BOX_NAMES):
        found.add("authorbox")
    if any(name in joined for name in _CAPTION_NAMES):
        found.add("caption")
    if "sharedaddy" in joined:  # WordPress Jetpack's share and like buttons
        found.add("share")
    return found


#: Class/id spellings of a picture's caption in one word ("imagedescription", German
#: "bildunterschrift", "bilduntertitel", "bildnachweis").
_CAPTION_NAMES = ("imagedescription", "imagecaption", "bildunterschrift", "bilduntertitel", "bildnachweis",
                  "bildquelle", "fotonachweis")


#: Class/id spellings of the box about the author under a story ("author-box",
#: "post-author-bio", "about-the-author", German "autorenbox", the Simple Author
#: Box plugin's "saboxplugin"): joined, lower-cased.
_AUTHOR_BOX_NAMES = (
    "authorbox", "authorbio", "authorinfo", "authordescription", "aboutauthor", "abouttheauthor",
    "postauthor", "authorprofile", "saboxplugin", "autorbox", "autorenbox", "autorinfo", "detailautor",
)


def norm_words(text: str) -> list[str]:
    return _WORDS.findall(text.lower())


def link_chars(el: HtmlElement) -> int:
    """Characters of link text, not counting links within the page (heading anchors)."""
    return sum(
        len(" ".join(a.text_content().split()))
        for a in el.iter("a")
        if not (a.get("href") or "").startswith("#")
    )


def _text_len(el: HtmlElement) -> int:
    return len(" ".join(el.text_content().split()))


def _is_furniture_by_class(el: HtmlElement, total_chars: int) -> bool:
    """Furniture named as such in class/id; caption-like furniture keeps its pictures."""
    words = class_words(el) & (FURNITURE_WORDS | {"hidden"})
    if not words:
        return False
    if words <= _QUOTE_WRAPPER_WORDS and el.find(".//blockquote") is not None:
        return False  # an embedded post quoted by the story
    if el.tag in INLINE_TAGS:
        # <span class="person-rollover"><a class="rollover-link">Name</a><span
        # class="rollover-card">...</span></span>: the inner card is the furniture;
        # the name, plain text inside a sentence, is part of the story.
        if any(class_words(d) & FURNITURE_WORDS for d in el.iterdescendants()):
            return False
        parent = el.getparent()
        if len(el) == 0 and parent is not None and _text_len(parent) > _text_len(el) + 10:
            return False
    # A container holding much of the story is not furniture whatever it is called
    # ("article-body has-video", "post with-share-bar").
    size = _text_len(el)
    if size > 0.3 * total_chars and size > 200 and el.tag not in ("ul", "ol"):
        return False  # (a list so named is a list of them, however long)
    if words <= PICTURE_FURNITURE_WORDS and el.find(".//img") is None and (
        el.tag == "figcaption" or any(a.tag == "figure" for a in el.iterancestors())
    ):
        # A figure's caption or credit: shown under the picture, left out of the text.
        if not any(a.tag == "figcaption" for a in el.iterancestors()):
            el.tag = "figcaption"
        return False
    if words & PICTURE_FURNITURE_WORDS and el.tag != "img" and el.find(".//img") is not None:
        # Keep the pictures in the HTML, drop the caption/credit text around them.
        images = list(el.iter("img"))
        for child in list(el):
            child.drop_tree()
        el.text = None
        el.extend(images)
        for img in images:
            img.tail = None
        return False
    return True


#: A block drawn with punctuation only ("___", "---", "* * *"): a separator. Between
#: sections of a story it is kept (wire stories divide their parts so); at the end,
#: where it only fenced off what followed the story, it goes.
_SEPARATOR_ONLY = re.compile(r"[\s_\-–—=~*•·#.]{3,}")


def is_furniture_by_text(el: HtmlElement) -> bool:
    """Furniture recognisable from its words: teaser lists and teaser links,
    credit and contact lines, promos, widget labels, shortcodes, time stamps.
    Only short blocks are judged this way, so story paragraphs are never at risk
    of matching by accident."""
    text = " ".join(el.text_content().split())
    if not text:
        return False
    words = norm_words(text)
    if len(words) > LINK_LIST_WORDS:
        return False
    links = el.findall(".//a") if el.tag not in ("li", "dd", "dt") else []
    link_share = link_chars(el) / len(text) if links else 0.0
    if len(links) >= 2 and (
        link_share >= 0.8
        or (el.find(".//br") is not None and FURNITURE_TEXT.match(element_text(el).split("\n")[0]))
    ):
        return True  # "DON'T MISS<br><a>story</a><br><a>story</a>": a list of teasers
    if len(words) > CREDIT_BLOCK_WORDS:
        return False
    if CREDIT_TEXT.match(text) or (links and PROMO_TEXT.search(text)) or DISCLOSURE_TEXT.search(text) \
            or PAYWALL_TEXT.search(text):
        return True
    if len(words) > SHORT_BLOCK_WORDS:
        return False
    if FURNITURE_TEXT.match(text) or FURNITURE_TEXT_INTL.match(text) or SHORTCODE.match(text):
        return True
    if len(words) <= MAX_WIDGET_WORDS and all(word in WIDGET_WORDS for word in words):
        return True
    if STAMP.match(text) and _DATE_LINE.search(text) and len(words) <= 12:
        return True
    # A teaser: a short block that is nothing but a link ("READ MORE ON ...", a headline).
    return bool(links) and link_share >= 0.8 and len(words) >= 3


def is_link_list(el: HtmlElement) -> bool:
    """A list of other stories: every item is (almost) only a link."""
    items = [li for li in el if li.tag == "li"]
    if len(items) < 2:
        return False
    linked = 0
    for li in items:
        size = _text_len(li)
        if size and link_chars(li) >= 0.8 * size:
            linked += 1
    return linked >= 0.8 * len(items)


def _is_list_heading(el: HtmlElement | None) -> bool:
    """The short title over a list of links ("You may also like", "More stories")."""
    if el is None:
        return False
    text = el.text_content().strip()
    if len(norm_words(text)) > 8:
        return False
    return el.tag != "p" or not text.endswith((".", "!", "?", ":"))


def _same_text(a: str, b: str) -> bool:
    wa, wb = norm_words(a), norm_words(b)
    return bool(wa) and wa == wb


#: Containers whose loose text (beside blocks) is wrapped into paragraphs.
_LOOSE_TEXT_CONTAINERS = ("div", "section", "article", "footer", "header", "aside", "main")
#: Children that end a run of loose text.
_RUN_BREAKERS = LEAF_BLOCK_TAGS | frozenset("ul ol dl table section article footer aside nav main form hr br".split())


def wrap_loose_text(body: HtmlElement) -> None:
    """Text that sits loose in a container beside its blocks ("Dieser Eintrag wurde
    veröffentlicht in ..." directly in a <footer> that also holds the author box)
    becomes a paragraph of its own, so the rules below judge it as a line and not
    only as part of the whole container. readability does this for <div>s only."""
    for el in list(body.iter(*_LOOSE_TEXT_CONTAINERS)):
        children = [c for c in el if isinstance(c.tag, str)]
        if not any(c.tag in _RUN_BREAKERS for c in children):
            continue  # a container of inline text only: one block already
        if not (el.text and el.text.strip()) and not any(c.tail and c.tail.strip() for c in el):
            continue
        text, el.text = el.text, None
        run: list[HtmlElement] = []
        for child in list(el):
            if isinstance(child.tag, str) and child.tag in _RUN_BREAKERS:
                para = _run_paragraph(el, text, run)
                if para is not None:
                    child.addprevious(para)
                text, child.tail, run = child.tail, None, []
            else:
                run.append(child)
        para = _run_paragraph(el, text, run)
        if para is not None:
            el.append(para)


def _run_paragraph(parent: HtmlElement, text: str | None, run: list[HtmlElement]) -> HtmlElement | None:
    """A <p> of the loose text and inline elements (moved into it); None if empty,
    the elements then left where they were."""
    has_text = bool(text and text.strip()) or any(
        (isinstance(n.tag, str) and n.text_content().strip()) or (n.tail and n.tail.strip()) for n in run
    )
    if not has_text:
        return None
    para = parent.makeelement("p")
    para.text = text
    for node in run:
        para.append(node)
    return para


def remove_furniture(body: HtmlElement, title: str | None, authors: list[str]) -> list[str]:
    """Drop captions, credits, share bars, related links, teasers, bylines and the
    repeated headline from an extracted article body, in place.

    Returns the byline lines dropped ("By LISA MASCARO, AP Writer"): a page that names
    its author nowhere but in the text still gets one from them."""
    wrap_loose_text(body)
    total = _text_len(body) or 1
    doomed: list[HtmlElement] = []
    walker = etree.iterwalk(body, events=("start",))
    for _event, el in walker:
        if el is body or not isinstance(el.tag, str):
            continue
        tag = el.tag
        if tag in ("pre", "code", "table", "blockquote"):
            walker.skip_subtree()
            continue
        if _is_furniture_by_class(el, total):
            doomed.append(el)
            walker.skip_subtree()
        elif tag in ("ul", "ol") and is_link_list(el):
            doomed.append(el)
            if _is_list_heading(el.getprevious()):
                doomed.append(el.getprevious())
            walker.skip_subtree()
        elif tag in TEXT_BLOCK_TAGS and is_furniture_by_text(el):
            doomed.append(el)
            walker.skip_subtree()
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()
    _remove_trailing_separators(body)
    return _remove_header_lines(body, title, authors)


def _remove_trailing_separators(body: HtmlElement) -> None:
    """Separator lines ("___") left at the very end of the article."""
    for el in reversed(_leaf_blocks(body)):
        text = " ".join(el.text_content().split())
        if not text and el.find(".//img") is None:
            continue
        if _SEPARATOR_ONLY.fullmatch(text) and el.find(".//img") is None:
            el.drop_tree()
            continue
        break


def _leaf_blocks(body: HtmlElement) -> list[HtmlElement]:
    """Paragraph-like elements that hold no other paragraph-like element."""
    blocks = []
    for el in body.iter(*LEAF_BLOCK_TAGS):
        if el is body:
            continue
        if any(child.tag in LEAF_BLOCK_TAGS for child in el.iterdescendants()):
            continue
        blocks.append(el)
    return blocks


def _is_dek(el: HtmlElement, body: HtmlElement, total_chars: int) -> bool:
    """Inside a standfirst/summary block (by class, id or itemprop) that is not the story."""
    node: HtmlElement | None = el
    while node is not None and node is not body:
        words = class_words(node)
        if "speakable" in words:
            return False  # schema.org speakable: the story's own text, read aloud by assistants
        if words & DEK_WORDS or node.get("itemprop") in ("description", "alternativeHeadline"):
            return _text_len(node) < 0.3 * total_chars and not _marks_many(node, body)
        node = node.getparent()
    return False


def _marks_many(node: HtmlElement, body: HtmlElement) -> bool:
    """The standfirst's marking (its class, its itemprop) is on several blocks of the
    article: it marks the story's paragraphs (some sites put itemprop="description"
    or a "summary" class on every one), not a standfirst."""
    itemprop, cls = node.get("itemprop"), node.get("class")
    same = 0
    for el in body.iter(node.tag):
        if el.get("itemprop") == itemprop and el.get("class") == cls:
            same += 1
            if same >= 3:
                return True
    return False


_STAMP_WORDS = frozenset(
    "updated update published posted last modified on at am pm a m p m est edt cst cdt pst pdt gmt "
    "utc bst cet cest ist ago hours hour minutes min monday tuesday wednesday thursday friday "
    "saturday sunday".split()
)


def _is_dateline(text: str) -> bool:
    """A line that is a date and time stamp ("Published 10:02 AM EST Nov 19, 2019"),
    possibly with a short source, not a sentence that mentions a date."""
    if not _DATE_LINE.search(text):
        return False
    rest = _DATE_LINE.sub(" ", text)
    words = [w for w in norm_words(rest) if w not in _STAMP_WORDS and not w.isdigit()]
    return len(words) <= 3


def _remove_header_lines(body: HtmlElement, title: str | None, authors: list[str]) -> list[str]:
    """The headline, standfirst, byline and dateline above the first paragraph
    duplicate the metadata that the reader shows on its own. Returns the byline
    lines ("By ...") among them."""
    names = [a.lower() for a in authors if len(a) > 3]
    bylines: list[str] = []
    total = _text_len(body) or 1
    for el in _leaf_blocks(body)[:10]:
        text = " ".join(el.text_content().split())
        if not text:
            continue
        words = norm_words(text)
        if (title and _same_text(text, title)) or el.tag == "h1" or _is_dek(el, body, total):
            # The headline (an <h1> above the story is the page's headline even when
            # its wording differs from the metadata title) or the standfirst.
            el.drop_tree()
            continue
        if len(words) > 15:
            break
        lowered = text.lower()
        if (
            lowered.startswith(("by ", "von ", "par ", "por "))
            or any(name in lowered for name in names)
            or _is_dateline(text)
        ):
            if lowered.startswith(("by ", "von ", "par ", "por ")):
                bylines.append(text)
            el.drop_tree()
        elif el.tag in ("h1", "h2", "h3") and len(words) <= 15:
            continue
        else:
            break
    return bylines
