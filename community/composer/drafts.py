"""Drafts: saved as a fan types (one per place), listed under Me, gone once posted."""

import re

from flask_babel import gettext as _
from sqlalchemy import delete, select

from ..kernel.database import conflict_insert, transaction, utcnow
from ..kernel.errors import ValidationError
from ..kernel.extensions import db
from .models import ERROR_MAX, PLACE_MAX, URL_MAX, Draft

PLACE_RE = re.compile(rf"^[a-z][a-z-]{{1,19}}:[0-9A-Za-z_-]{{1,{PLACE_MAX - 21}}}$")
# A path on this site: "/ideas/3?page=2", never "//evil.example" or "https://...".
URL_RE = re.compile(r"^/(?![/\\])[^\s]*$")
BODY_MAX = 20_000
# The oldest go first past this many: drafts are a safety net, not an archive.
KEEP = 50


def check_place(place):
    if not PLACE_RE.match(place or ""):
        raise ValidationError(_("Not a place a draft can be kept."), field="place")
    return place


def save(user, place, body, url, error=None):
    """Keep `body` as the user's draft for `place` (an empty body forgets it)."""
    check_place(place)
    if not URL_RE.match(url or "") or len(url) > URL_MAX:
        raise ValidationError(_("A draft needs the page it was written on."), field="url")
    if len(body or "") > BODY_MAX:
        raise ValidationError(_("A draft can be at most %(n)d characters.", n=BODY_MAX),
                              field="body")
    if not (body or "").strip():
        discard(user, place)
        return None
    now = utcnow()
    values = {"body": body, "url": url, "error": (error or None) and error[:ERROR_MAX],
              "updated_at": now}
    statement = conflict_insert(Draft.__table__).values(user_id=user.id, place=place, **values)
    with transaction(reload=False):
        db.session.execute(statement.on_conflict_do_update(
            index_elements=["user_id", "place"], set_=values))
        stale = select(Draft.id).where(Draft.user_id == user.id).order_by(
            Draft.updated_at.desc(), Draft.id.desc()).offset(KEEP)
        db.session.execute(delete(Draft).where(Draft.id.in_(stale.scalar_subquery()))
                           .execution_options(synchronize_session=False))
    return now


def get(user, place):
    check_place(place)
    return db.session.scalar(select(Draft).where(Draft.user_id == user.id, Draft.place == place))


def forget(user_id, place):
    """Drop the draft for `place` inside the caller's transaction (a post ending it)."""
    db.session.execute(delete(Draft).where(Draft.user_id == user_id, Draft.place == place))


def discard(user, place):
    check_place(place)
    with transaction(reload=False):
        forget(user.id, place)


def of_user(user):
    """The user's drafts, the latest first."""
    return db.session.scalars(select(Draft).where(Draft.user_id == user.id)
                              .order_by(Draft.updated_at.desc(), Draft.id.desc())).all()
