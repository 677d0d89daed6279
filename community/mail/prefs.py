"""Per kind of notification, a fan's mail choice: immediately, in the daily digest, or never.

Defaults: what a fan would not want to wait a day for (replies, and status changes on
ideas they follow: a new status, a merge, an acceptance from a round) comes at once;
the rest waits for the digest. Only changes from the default are stored.

Unsubscribe links are signed (user, list): they work without signing in (RFC 8058
one-click), and a link cannot be edited to reach anyone else's list.
"""

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import String, bindparam, case, delete, func, literal, select

from ..kernel.database import conflict_insert, transaction
from ..kernel.errors import ValidationError
from ..kernel.extensions import db
from ..notifications import kinds as notice_kinds
from ..web.site import absolute_url
from .models import CHOICES, MailPreference

IMMEDIATE_BY_DEFAULT = ("reply", "idea_status", "idea_merged", "round_accepted")
DIGEST = "digest"  # the unsubscribe list that stops every kind now in the digest
_SALT = "mail-unsubscribe"


def _immediate():
    return notice_kinds.immediate_by_default(IMMEDIATE_BY_DEFAULT)


def default_choice(kind):
    return "immediate" if kind in _immediate() else "digest"


def choice_column(user_id_col, kind_col):
    """SQL for the choice of (user, kind), defaults included: join it into a fan-out."""
    stored = (select(MailPreference.choice)
              .where(MailPreference.user_id == user_id_col, MailPreference.kind == kind_col)
              .scalar_subquery())
    default = case((kind_col.in_(_immediate()), literal("immediate", String)),
                   else_=literal("digest", String))
    return case((stored.is_not(None), stored), else_=default)


def choice_of(user_id_col):
    """SQL for the choice of one kind, given as parameters (choice_parameters(kind)), by
    the user in `user_id_col`: for statements built once and run for any kind."""
    stored = (select(MailPreference.choice)
              .where(MailPreference.user_id == user_id_col,
                     MailPreference.kind == bindparam("notice_kind", type_=MailPreference.kind.type))
              .scalar_subquery())
    return func.coalesce(stored, bindparam("default_choice", type_=String))


def choice_parameters(kind):
    return {"notice_kind": kind, "default_choice": default_choice(kind)}


def preferences(user_id):
    """{kind: choice} for every notification kind."""
    stored = dict(db.session.execute(select(MailPreference.kind, MailPreference.choice)
                                     .where(MailPreference.user_id == user_id)).all())
    return {kind: stored.get(kind, default_choice(kind)) for kind in notice_kinds.names()}


def set_preferences(user, choices):
    """Save the choices {kind: choice}; kinds left out keep theirs."""
    user_id = user.id
    for kind, choice in choices.items():
        if kind not in notice_kinds.names() or choice not in CHOICES:
            raise ValidationError(_("Pick immediately, daily digest or never."), field=kind)
    with transaction():
        for kind, choice in choices.items():
            _store(user_id, kind, choice)


def _store(user_id, kind, choice):
    if choice == default_choice(kind):
        db.session.execute(delete(MailPreference).where(
            MailPreference.user_id == user_id, MailPreference.kind == kind))
        return
    stmt = conflict_insert(MailPreference).values(user_id=user_id, kind=kind, choice=choice)
    db.session.execute(stmt.on_conflict_do_update(
        index_elements=["user_id", "kind"], set_={"choice": choice}))


def unsubscribe(user_id, mail_list):
    """Stop one kind (or, for DIGEST, every kind now in the digest); returns the kinds
    stopped. Doing it twice changes nothing."""
    current = preferences(user_id)
    kinds = [k for k in notice_kinds.names() if current[k] == "digest"] if mail_list == DIGEST else [mail_list]
    with transaction():
        for kind in kinds:
            _store(user_id, kind, "never")
    return kinds


# ---- signed links ----------------------------------------------------------

def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def unsubscribe_token(user_id, mail_list):
    return _serializer().dumps([user_id, mail_list])


def unsubscribe_url(user_id, mail_list):
    return absolute_url("mail.unsubscribe", token=unsubscribe_token(user_id, mail_list))


def read_unsubscribe_token(token):
    """(user_id, list) of a genuine link, or None for a tampered or made-up one."""
    try:
        user_id, mail_list = _serializer().loads(token)
    except (BadData, TypeError, ValueError):
        return None
    if not isinstance(user_id, int) or (mail_list != DIGEST and mail_list not in notice_kinds.names()):
        return None
    return user_id, mail_list

