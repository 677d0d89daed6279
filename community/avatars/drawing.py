"""The pictures: an upload cropped square and sized, and the generated default."""

import io

from markupsafe import escape
from PIL import Image, ImageOps

from ..media.processing import pixels

# Stored sizes in px, largest first: 96 on profiles, 48 beside posts, 32 in lists.
SIZES = (96, 48, 32)
# Background colours for the defaults. Each carries white text at 4.5:1 or better
# (tests/community/avatars check every one), so the initial reads at WCAG AA.
PALETTE = ("#b91c1c", "#c2410c", "#a16207", "#15803d", "#0f766e", "#0e7490",
           "#1d4ed8", "#4338ca", "#6d28d9", "#a21caf", "#be185d", "#475569")
TEXT = "#ffffff"


def sized(data):
    """{size: PNG bytes} of an uploaded image, each cropped square around its centre;
    ValidationError (from the media pipeline) if the upload is refused."""
    image = pixels(data)
    out = {}
    for size in SIZES:
        square = ImageOps.fit(image, (size, size), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        square.save(buffer, "PNG", optimize=True)
        out[size] = buffer.getvalue()
    return out


def colour_for(user_id):
    """The default's background: the same for an account every time."""
    # A multiplicative hash spreads neighbouring ids over the palette.
    return PALETTE[(int(user_id) * 2654435761 % 2**32) % len(PALETTE)]


def initial_of(name):
    """The character a default shows: the name's first, upper-cased where that means
    anything (a Chinese name shows its first character)."""
    for char in name or "":
        if char.isprintable() and not char.isspace():
            return char.upper()[0]
    return "?"


def default_svg(user_id, initial):
    """The default avatar as SVG text: a square of the account's colour with the initial."""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96">'
        f'<rect width="96" height="96" fill="{colour_for(user_id)}"/>'
        '<text x="48" y="48" dy=".35em" text-anchor="middle" font-size="46" '
        'font-family="system-ui, -apple-system, \'PingFang SC\', \'Noto Sans CJK SC\', sans-serif" '
        f'fill="{TEXT}">{escape(initial)}</text></svg>')
