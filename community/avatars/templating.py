"""``{{ avatar(user, size) }}``: the <img> of anyone's avatar, uploaded or default.

A page draws one for every post or row (20 and more), so the two avatar URLs are built
once per request with slots and filled per user: the same URLs url_for gives, without
building each through the URL map."""

from functools import cache
from urllib.parse import quote

from flask import g, url_for
from markupsafe import Markup, escape

from ..web.templating import _SEGMENT_SAFE, drawn_memo, remember  # the first: as werkzeug quotes
from .drawing import SIZES, initial_of

# Values no user has, which url_for leaves as they are: the URLs' slots.
_ID, _SIZE, _TEXT = "918273645546372819", "918273645546372818", "ffslot5b1e07c2"
# avatar()'s <img> elements by what they are drawn from (see avatar), bounded.
_IMAGES = drawn_memo()


def _urls():
    """(default, uploaded): this request's avatar URLs with their slots, escaped for HTML
    (the slots are digits and letters, which escaping leaves alone)."""
    found = g.get("_avatar_urls")
    if found is None:
        found = g._avatar_urls = (
            str(escape(url_for("avatars.default", user_id=int(_ID), code=_TEXT))),
            str(escape(url_for("avatars.uploaded", user_id=int(_ID), token=_TEXT,
                               size=int(_SIZE)))))
    return found


def _source(user, size, urls):
    """The avatar's URL, escaped for HTML."""
    token = getattr(user, "avatar", None)
    if token:
        return (urls[1].replace(_ID, str(user.id)).replace(_SIZE, str(size))
                .replace(_TEXT, str(escape(quote(str(token), safe=_SEGMENT_SAFE)))))
    return urls[0].replace(_ID, str(user.id)).replace(
        _TEXT, format(ord(initial_of(user.username)), "x"))


@cache
def _sizes(size):
    """(drawn, sharp): the stored sizes that fill `size` CSS pixels on a plain screen and
    on one of two device pixels to the CSS pixel (a page asks for the same two or three)."""
    return (min((s for s in SIZES if s >= size), default=SIZES[0]),
            min((s for s in SIZES if s >= 2 * size), default=SIZES[0]))


def avatar(user, size=32, alt=""):
    """An <img> `size` CSS pixels square. Its alt text is empty (decorative): a name is
    written beside it wherever it is shown; pass `alt` where it stands alone. A sharper
    source is offered to screens with two device pixels to the CSS pixel. Remembered per
    process: a pure function of the request's URLs (their slotted form names the script
    root and host), the account's id, name and avatar token, the size and the alt text."""
    if user is None:
        return Markup("")
    urls = _urls()
    token = getattr(user, "avatar", None)
    key = (urls, user.id, user.username, token, size, alt) \
        if type(size) is int and type(alt) is str else None
    found = _IMAGES.get(key) if key else None
    if found is None:
        found = _image(user, size, alt, urls, token)
        if key:
            remember(_IMAGES, key, found)
    return found


def _image(user, size, alt, urls, token):
    drawn, sharp = _sizes(size)
    src = _source(user, drawn, urls)
    srcset = "" if sharp == drawn or not token else \
        f' srcset="{src} 1x, {_source(user, sharp, urls)} 2x"'
    # bandit B704, reviewed: the URLs are escaped above, the sizes are numbers.
    px = int(size)
    return Markup(f'<img class="avatar" src="{src}"{srcset} width="{px}" height="{px}" '  # nosec B704
                  f'alt="{escape(alt)}" loading="lazy" decoding="async">')
