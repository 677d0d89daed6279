"""The mail saying an export is ready, built at send time in the member's language."""

from flask_babel import gettext as _

from ..accounts.models import User
from ..kernel.database import utcnow
from ..kernel.extensions import db
from ..mail import Letter, locale_of, register_kind
from ..web.site import absolute_url
from . import export
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


def register():
    register_kind(export.MAIL_KIND, build_export_ready)
