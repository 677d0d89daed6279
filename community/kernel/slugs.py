"""Slugs made from names, for boards, circles and products whose slug was left empty.

A name becomes lower-case ASCII words joined by "-": Chinese by its pinyin (pypinyin,
"小米手环 9" -> "xiao-mi-shou-huan-9"), the rest through python-slugify (accents and
other scripts by text-unidecode). A made slug is unique: the first free of "base",
"base-2", "base-3"... The free one is found by one SELECT, and the table's unique
constraint settles a race: a creation that loses it (its service raises a "slug_taken"
ValidationError) is tried again with the next free suffix. A slug someone typed is
theirs: taken, it is an error for them to change, never a silent suffix.
"""

from flask_babel import gettext as _
from pypinyin import lazy_pinyin
from slugify import slugify
from sqlalchemy import or_, select

from .errors import ValidationError
from .extensions import db

MAX_LENGTH = 64
SLUG_TAKEN = "slug_taken"
# Tries before giving up when other creations keep taking the free slug first.
ATTEMPTS = 5


def from_name(name, max_length=MAX_LENGTH):
    """The slug a name reads as ("" when nothing in it can be spelled in ASCII)."""
    words = " ".join(lazy_pinyin(name or ""))
    return slugify(words, max_length=max_length, word_boundary=True, save_order=True)


def _candidates(base, max_length):
    yield base
    n = 2
    while True:
        suffix = f"-{n}"
        yield base[:max_length - len(suffix)].rstrip("-") + suffix
        n += 1


def first_free(column, base, max_length=MAX_LENGTH, reserved=()):
    """The first of base, base-2, base-3... that no row has in `column` (one SELECT)."""
    taken = set(db.session.scalars(
        select(column).where(or_(column == base, column.like(f"{base}-%")))))
    taken.update(reserved)
    for candidate in _candidates(base, max_length):
        if candidate not in taken:
            return candidate
    raise AssertionError("unreachable")  # pragma: no cover


def create_with_slug(slug, name, column, create, reserved=(), max_length=MAX_LENGTH):
    """create(slug) with the slug as typed, or, left empty, one made from the name and
    free in `column`. `create` raises ValidationError(code=SLUG_TAKEN) when the slug is
    taken (its check, or the unique constraint when another creation won the race)."""
    slug = (slug or "").strip()
    if slug:
        return create(slug)
    base = from_name(name, max_length)
    if not base:
        raise ValidationError(_("Type a slug: nothing in the name spells one."),
                              field="slug", code="slug_needed")
    for attempt in range(ATTEMPTS):
        candidate = first_free(column, base, max_length, reserved)
        try:
            return create(candidate)
        except ValidationError as error:
            if error.code != SLUG_TAKEN or attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover
