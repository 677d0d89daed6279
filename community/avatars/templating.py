"""``{{ avatar(user, size) }}``: the <img> of anyone's avatar, uploaded or default."""

from flask import url_for
from markupsafe import Markup

from .drawing import SIZES, initial_of


def _source(user, size):
    token = getattr(user, "avatar", None)
    if token:
        return url_for("avatars.uploaded", user_id=user.id, token=token, size=size)
    return url_for("avatars.default", user_id=user.id,
                   code=format(ord(initial_of(user.username)), "x"))


def avatar(user, size=32, alt=""):
    """An <img> `size` CSS pixels square. Its alt text is empty (decorative): a name is
    written beside it wherever it is shown; pass `alt` where it stands alone. A sharper
    source is offered to screens with two device pixels to the CSS pixel."""
    if user is None:
        return Markup("")
    drawn = min((s for s in SIZES if s >= size), default=SIZES[0])
    sharp = min((s for s in SIZES if s >= 2 * size), default=SIZES[0])
    src = _source(user, drawn)
    srcset = "" if sharp == drawn or not getattr(user, "avatar", None) else \
        Markup(' srcset="%s 1x, %s 2x"') % (src, _source(user, sharp))
    return Markup('<img class="avatar" src="%s"%s width="%d" height="%d" alt="%s" '
                  'loading="lazy" decoding="async">') % (src, srcset, size, size, alt)
