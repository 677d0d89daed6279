"""The header's account corner: the reader's unread notifications and conversations and
whether they checked in today, in one statement built once (every signed-in page asks)."""

from flask import g
from flask_login import current_user
from sqlalchemy import bindparam, exists, select

from .engagement import checkin
from .engagement.models import CheckIn
from .extensions import db
from .messages import service as messages
from .notifications import service as notifications

_FIGURES = select(
    notifications.UNREAD_COUNT.label("notifications"),
    messages.UNREAD_COUNT.label("conversations"),
    exists().where(CheckIn.user_id == bindparam("user_id"), CheckIn.day == bindparam("day"))
    .label("checked_in"),
)


def account_header():
    """Template global: {"bell": "3" | "99+" | None, "envelope": ..., "checked_in": bool}
    for the signed-in reader, asked once per request."""
    if "account_header" not in g:
        row = db.session.execute(_FIGURES, {"user_id": current_user.id,
                                            "day": checkin.today()}).one()
        g.account_header = {
            "bell": notifications.bell_label(row.notifications) if row.notifications else None,
            "envelope": messages.envelope_label(row.conversations),
            "checked_in": bool(row.checked_in),
        }
    return g.account_header


def init_app(app):
    app.add_template_global(account_header)
