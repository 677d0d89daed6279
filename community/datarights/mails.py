"""The mails saying an export is ready and that the account is going to be closed,
built at send time in the member's language."""

from flask_babel import gettext as _

from ..accounts.models import User
from ..kernel.database import utcnow
from ..kernel.extensions import db
from ..mail import Letter, locale_of, register_kind
from ..web.site import absolute_url
from . import closure, export
from .models import DataExport


def build_export_ready(row):
    """Only while the export is ready and unexpired: a used or expired link is not sent."""
    found = db.session.get(DataExport, row.ref_id) if row.ref_id else None
    user = db.session.get(User, row.user_id) if row.user_id else None
    if found is None or user is None or user.is_banned or found.user_id != user.id \
            or found.state != "ready" or found.expires_at <= utcnow():
        return None
    link = absolute_url("datarights.download", token=export.link_token(found))
    return Letter(to=user.email, subject=lambda: _("Your data is ready to download"),
                  template="community/mail/data_export", locale=locale_of(user),
                  context={"user": user, "link": link, "expires_at": found.expires_at})


def build_closing(row):
    """To the account while its closure waits: when it happens, and how to call it off
    (someone else with the password may have asked). Nothing once cancelled or closed."""
    user = db.session.get(User, row.user_id) if row.user_id else None
    waiting = closure.pending(row.user_id) if user is not None else None
    if waiting is None or user.is_banned:
        return None
    return Letter(to=user.email, subject=lambda: _("Your account is going to be closed"),
                  template="community/mail/account_closing", locale=locale_of(user),
                  context={"user": user, "due_at": waiting.due_at,
                           "login": absolute_url("accounts.login")})


def register():
    register_kind(export.MAIL_KIND, build_export_ready)
    register_kind(closure.MAIL_KIND, build_closing)
