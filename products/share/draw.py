"""Drawing a poster: a PNG of an idea or a product with its figures and a QR code of the
share link, for apps that pass pictures around rather than links (WeChat Moments).

Fonts. Pillow's built-in font has no Chinese, and no font is ever downloaded at run
time. A CJK font is looked for at FANFORGE_POSTER_FONT (a .ttf, .otf or .ttc path), then
where Debian's packages put one (fonts-noto-cjk, fonts-wqy-microhei, fonts-wqy-zenhei,
fonts-arphic-uming). With one, posters speak the reader's language and show any title.
Without one (the fallback, and what a bare machine gets), posters are drawn in English
with DejaVu or Liberation (else Pillow's own font): labels and figures are English, and
a title or subtitle holding characters those fonts lack (CJK) is replaced by the
object's number ("Idea #12"), never drawn as empty boxes. drawn_language() says which
language a poster is drawn in, so the poster cache (store.py) keys on what was drawn.
"""

import io
import os
from functools import cache

import segno
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from PIL import Image, ImageDraw, ImageFont

from community.ideas.labels import STATUS_NAMES

from ..campaigns.labels import CAMPAIGN_STATES
from ..catalog.labels import STAGE_NAMES
from ..money import money

SIZE = WIDTH, HEIGHT = 720, 1080
MARGIN = 48
QR_SIDE = 300
BRAND, INK, MUTED, PAPER = "#b4531b", "#1f1f1f", "#6b6b6b", "#ffffff"
CJK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
LATIN_FONTS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
               "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf")
LATIN_BOLD_FONTS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
                    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf")
# The first code point the Latin fallback fonts lack whole blocks from (CJK radicals on).
FIRST_CJK = 0x2E80


def _first(paths):
    return next((path for path in paths if path and os.path.isfile(path)), None)


@cache
def _font_files(configured):
    """(regular, bold, has_cjk): font paths (None for Pillow's own) for a configured path."""
    cjk = _first((configured, *CJK_FONTS))
    if cjk:
        return cjk, cjk, True
    return _first(LATIN_FONTS), _first(LATIN_BOLD_FONTS), False


def _fonts():
    return _font_files(current_app.config.get("POSTER_FONT") or "")


def has_cjk_font():
    return _fonts()[2]


def drawn_language(language):
    """The language a poster for a reader of `language` is drawn in: English without a
    CJK font."""
    return language if has_cjk_font() else "en"


@cache
def _font(path, size):
    if path is None:
        return ImageFont.load_default(size=size)
    return ImageFont.truetype(path, size=size)


def _drawable(text):
    return has_cjk_font() or all(ord(c) < FIRST_CJK for c in text)


def _wrap(draw, text, font, width, max_lines):
    """Lines of `text` no wider than `width`: at spaces where there are, anywhere in CJK;
    the last line ends in an ellipsis when the text runs on."""
    lines, line = [], ""
    for char in " ".join(text.split()):
        if draw.textlength(line + char, font=font) <= width or not line:
            line += char
            continue
        cut = line.rfind(" ")
        if cut > 0 and ord(char) < FIRST_CJK:
            lines.append(line[:cut])
            line = line[cut + 1:] + char
        else:
            lines.append(line.rstrip())
            line = char.strip()
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and draw.textlength(last + "…", font=font) > width:
            last = last[:-1]
        lines = lines[:max_lines - 1] + [last.rstrip() + "…"]
    return lines


def _figure(word, value):
    """(value, label) of one figure as the poster writes it."""
    if word == "votes":
        return str(value), _("Votes")
    if word == "status":
        return str(STATUS_NAMES.get(value, value)), _("Status")
    if word == "stage":
        return str(STAGE_NAMES.get(value, value)), _("Stage")
    if word == "cocreators":
        return str(value), _("Co-creators")
    if word == "campaign":
        return str(CAMPAIGN_STATES.get(value, value)), _("Campaign")
    if word == "reserved":
        return f"{value[0]} / {value[1]}", _("Units reserved")
    if word == "backers":
        return str(value), _("Backers")
    if word == "price":
        return money(*value), _("From")
    raise ValueError(f"no such figure: {word!r}")


def qr_image(link):
    """The QR code of `link` as a black-on-white image about QR_SIDE pixels wide."""
    code = segno.make(link, error="m", micro=False)
    scale = max(2, QR_SIDE // code.symbol_size(scale=1, border=2)[0])
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=scale, border=2)
    buffer.seek(0)
    with Image.open(buffer) as image:
        return image.convert("RGB")


def render(facts, link, language):
    """The poster as PNG bytes: `facts` (figures.Facts), the QR code of `link`, its words
    in `language` (what drawn_language gave)."""
    regular, bold, _cjk = _fonts()
    image = Image.new("RGB", SIZE, PAPER)
    draw = ImageDraw.Draw(image)
    with force_locale(language):
        kind = _("Idea") if facts.kind == "idea" else _("Product")
        fallback = (_("Idea #%(id)d", id=facts.object_id) if facts.kind == "idea"
                    else _("Product #%(id)d", id=facts.object_id))
        figures = [_figure(word, value) for word, value in facts.figures]
        scan = _("Scan to open")
    # The band: the site's name and what is shared.
    draw.rectangle((0, 0, WIDTH, 120), fill=BRAND)
    draw.text((MARGIN, 60), "Fanforge", font=_font(bold, 44), fill=PAPER, anchor="lm")
    draw.text((WIDTH - MARGIN, 60), kind, font=_font(regular, 28), fill=PAPER, anchor="rm")
    # The title and subtitle.
    y, width = 160, WIDTH - 2 * MARGIN
    title = facts.title if _drawable(facts.title) else fallback
    for line in _wrap(draw, title, _font(bold, 46), width, 3):
        draw.text((MARGIN, y), line, font=_font(bold, 46), fill=INK)
        y += 58
    if facts.subtitle and _drawable(facts.subtitle):
        y += 6
        for line in _wrap(draw, facts.subtitle, _font(regular, 26), width, 2):
            draw.text((MARGIN, y), line, font=_font(regular, 26), fill=MUTED)
            y += 34
    # The figures, two to a row.
    y += 28
    column = width // 2
    for index, (value, label) in enumerate(figures):
        x = MARGIN + (index % 2) * column
        top = y + (index // 2) * 104
        draw.text((x, top), _wrap(draw, value, _font(bold, 40), column - 16, 1)[0],
                  font=_font(bold, 40), fill=BRAND)
        draw.text((x, top + 52), label, font=_font(regular, 24), fill=MUTED)
    # The QR code of the share link, and what it is.
    code = qr_image(link)
    top = HEIGHT - code.height - 96
    image.paste(code, ((WIDTH - code.width) // 2, top))
    draw.text((WIDTH // 2, top + code.height + 30), scan, font=_font(bold, 26), fill=INK,
              anchor="mm")
    shown = link.split("://", 1)[-1]
    draw.text((WIDTH // 2, top + code.height + 64),
              _wrap(draw, shown, _font(regular, 20), width, 1)[0],
              font=_font(regular, 20), fill=MUTED, anchor="mm")
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()
