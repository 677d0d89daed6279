"""Medals (勋章): a catalogue, automatic rules, and awards by staff with a reason.

A medal once earned stays: rules look at everything that ever happened (a first
idea later hidden still was a first idea), so a rebuild only adds what is missing.
"""

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select

from ..accounts.models import User
from ..forum.moderation import ensure_staff, record
from ..ideas.models import Idea, StatusChange
from ..kernel.database import insert_ignore, transaction, utcnow
from ..kernel.errors import ValidationError
from ..kernel.extensions import db
from .models import CheckIn, UserMedal

FOUNDING_MEMBERS = 100


@dataclass(frozen=True)
class Medal:
    key: str
    name: object
    description: object
    icon: str


MEDALS = {m.key: m for m in (
    Medal("first_idea", _l("First idea"), _l("Proposed a first idea."), "💡"),
    Medal("first_shipped", _l("Made it real"), _l("An idea of theirs shipped."), "🚀"),
    Medal("cocreator", _l("Co-creator"), _l("Co-created a product."), "🛠"),
    Medal("streak_7", _l("7-day streak"), _l("Checked in seven days in a row."), "🔥"),
    Medal("streak_30", _l("30-day streak"), _l("Checked in thirty days in a row."), "🏅"),
    Medal("top_referrer", _l("Top referrer"), _l("Brought the most backers to a campaign."), "📣"),
    Medal("founding_fan", _l("Founding fan"), _l("One of the first 100 members."), "🌱"),
    Medal("community_hero", _l("Community hero"), _l("Honoured by the team."), "⭐"),
)}


def _first_idea():
    return select(Idea.author_id).distinct()


def _first_shipped():
    return (select(Idea.author_id).join(StatusChange, StatusChange.idea_id == Idea.id)
            .where(StatusChange.to_status == "shipped").distinct())


def _streak(days):
    return lambda: select(CheckIn.user_id).where(CheckIn.streak >= days).distinct()


def _founding():
    first = select(User.id).order_by(User.created_at, User.id).limit(FOUNDING_MEMBERS).subquery()
    return select(first.c.id)


# medal -> a select of the user ids who deserve it; other packages add theirs.
RULES = {
    "first_idea": _first_idea,
    "first_shipped": _first_shipped,
    "streak_7": _streak(7),
    "streak_30": _streak(30),
    "founding_fan": _founding,
}


def register_rule(medal, query):
    RULES[medal] = query


def check(user_id, medal):
    """Award `medal` if its rule now says the user deserves it (inside a transaction)."""
    query = RULES[medal]().subquery()
    if db.session.scalar(select(query.c[0]).where(query.c[0] == user_id).limit(1)) is not None:
        return insert_ignore(UserMedal, user_id=user_id, medal=medal, awarded_at=utcnow())
    return False


def award_by_staff(user, actor, medal, reason):
    ensure_staff(actor)
    reason = (reason or "").strip()
    if medal not in MEDALS:
        raise ValidationError(_("Unknown medal."), field="medal")
    if not reason:
        raise ValidationError(_("Say why the medal is awarded."), field="reason")
    with transaction():
        awarded = insert_ignore(UserMedal, user_id=user.id, medal=medal, awarded_at=utcnow(),
                                awarded_by_id=actor.id, reason=reason[:200])
        if awarded:
            record(actor, "award_medal", "user", user.id, f"{medal}: {reason}")
    return awarded


_OF = (select(UserMedal.medal, UserMedal.reason, UserMedal.awarded_at)
       .where(UserMedal.user_id == bindparam("user_id")).order_by(UserMedal.awarded_at))


def medals_of(user_id):
    """The user's medals as rows (medal, reason, awarded_at), first awarded first."""
    return db.session.execute(_OF, {"user_id": user_id}).all()


def recompute():
    """Award every medal a rule says is deserved and missing; returns how many."""
    added = 0
    for medal, rule in RULES.items():
        have = set(db.session.scalars(select(UserMedal.user_id).where(UserMedal.medal == medal)))
        for user_id in db.session.scalars(rule()).all():
            if user_id not in have:
                added += insert_ignore(UserMedal, user_id=user_id, medal=medal, awarded_at=utcnow())
    return added


def holders(medal):
    return db.session.scalar(select(func.count()).where(UserMedal.medal == medal))
