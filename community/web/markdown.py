"""Markdown to safe HTML: CommonMark with raw HTML off, then sanitised with nh3.

markdown-it already refuses javascript: links, but sanitising the output as well
means no future plugin or parser bug can put a script or an event handler on a page.

Bare http(s) URLs become links (linkify, schemes only: "config.py" stays text), and
"@name" becomes a link to that member's profile. A mention is not a link for the spam
guard (has_links_or_images): new fans may mention each other from their first post.
"""

import re

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": True}).enable(
    ["table", "strikethrough", "linkify"])
# Only URLs with a scheme or "www.": a fuzzy match would link "setup.py" and "a.cn".
_md.linkify.set({"fuzzy_link": False, "fuzzy_email": False})

# "@name" not inside an e-mail address or a path, as the mention notifications read it
# (community/notifications/fanout.py MENTION_RE); names follow accounts' USERNAME_RE.
_MENTION = re.compile(r"@([\w-]{2,32})")
_NOT_BEFORE_MENTION = re.compile(r"[A-Za-z0-9_@/.-]")
PROFILE_PREFIX = "/u/"


def _mention(state, silent):
    if state.src[state.pos] != "@" or (
            state.pos and _NOT_BEFORE_MENTION.match(state.src[state.pos - 1])):
        return False
    match = _MENTION.match(state.src, state.pos)
    if match is None or state.linkLevel > 0:
        return False
    if not silent:
        name = match.group(1)
        link = state.push("link_open", "a", 1)
        link.attrs = {"href": PROFILE_PREFIX + name, "class": "mention"}
        link.meta = {"mention": True}
        state.push("text", "", 0).content = "@" + name
        state.push("link_close", "a", -1)
    state.pos = match.end()
    return True


_md.inline.ruler.before("emphasis", "mention", _mention)
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
        allowed_classes={"th": ALIGN_CLASSES, "td": ALIGN_CLASSES, "a": {"mention"}},
    )


def has_links_or_images(text):
    """Whether the Markdown would render a link or an image (spam guards ask)."""
    def walk(tokens):
        for token in tokens:
            if token.type == "image" or (
                    token.type == "link_open" and not token.meta.get("mention")):
                return True
            if token.children and walk(token.children):
                return True
        return False
    return walk(_md.parse(text or ""))
