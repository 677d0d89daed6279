"""The address book's section on the account settings page."""

from sqlalchemy import func, select

from community.kernel.extensions import db

from .models import Address


def on_settings(user, viewer):
    if viewer is None or not viewer.is_authenticated or viewer.id != user.id:
        return None
    count = db.session.scalar(select(func.count()).select_from(Address)
                              .where(Address.user_id == user.id))
    return "products/addresses/_settings_panel.html", {"count": count}
