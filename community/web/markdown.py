"""Markdown to safe HTML: CommonMark with raw HTML off, then sanitised with nh3.

markdown-it already refuses javascript: links, but sanitising the output as well
means no future plugin or parser bug can put a script or an event handler on a page.
"""

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
ALIGN_CLASSES = {"align-left", "align-center", "align-right"}


def _align_by_class(state):
    """A table column's alignment as a class, not a style= attribute: the site's
    Content-Security-Policy (community/web/securityheaders.py) allows no inline style."""
    for token in state.tokens:
        if token.type in ("th_open", "td_open") and token.attrs.get("style", "").startswith(
                "text-align:"):
            token.attrSet("class", "align-" + token.attrs.pop("style")[len("text-align:"):])


_md.core.ruler.push("align_by_class", _align_by_class)

ALLOWED_TAGS = {
    "a", "p", "br", "hr", "em", "strong", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "img",
    "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "code": {"class"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def render(text):
    """Render a user's Markdown to HTML that is safe to put on a page."""
    html = _md.render(text or "")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow ugc",
        allowed_classes={"th": ALIGN_CLASSES, "td": ALIGN_CLASSES},
    )


def has_links_or_images(text):
    """Whether the Markdown would render a link or an image (spam guards ask)."""
    def walk(tokens):
        for token in tokens:
            if token.type in ("link_open", "image"):
                return True
            if token.children and walk(token.children):
                return True
        return False
    return walk(_md.parse(text or ""))
