"""The mails accounts send, built at send time in the recipient's language."""

from flask_babel import gettext as _
from sqlalchemy import select

from ..kernel.extensions import db
from ..mail import Letter, locale_of, register_kind
from ..web.site import absolute_url
from . import links
from .models import User


def build_verify(row):
    """To the address waiting for confirmation; nothing once it is confirmed or replaced."""
    user = db.session.get(User, row.user_id)
    if user is None or user.is_banned:
        return None
    address = row.to_addr or user.email
    waiting = address == user.pending_email or (
        address == user.email and user.email_verified_at is None)
    if not waiting:
        return None
    link = absolute_url("accounts.verify_email", token=links.verify_token(user.id, address))
    return Letter(to=address, subject=lambda: _("Confirm your email address"),
                  template="community/mail/verify_email", locale=locale_of(user),
                  context={"user": user, "address": address, "link": link})


def build_reset(row):
    """Only to an account that has this address and is not banned; else nothing is sent."""
    user = db.session.scalar(select(User).where(User.email == row.to_addr))
    if user is None or user.is_banned:
        return None
    link = absolute_url("accounts.reset_password", token=links.reset_token(user))
    return Letter(to=user.email, subject=lambda: _("Reset your password"),
                  template="community/mail/reset_password", locale=locale_of(user),
                  context={"user": user, "link": link})


def build_register_taken(row):
    """To the owner of an address someone tried to sign up with (service.sign_up)."""
    user = db.session.scalar(select(User).where(User.email == row.to_addr))
    if user is None or user.is_banned:
        return None
    return Letter(to=user.email, subject=lambda: _("Someone tried to sign up with your address"),
                  template="community/mail/register_taken", locale=locale_of(user),
                  context={"user": user, "login": absolute_url("accounts.login"),
                           "reset": absolute_url("accounts.forgot_password")})


def register():
    register_kind("verify_email", build_verify)
    register_kind("reset_password", build_reset)
    register_kind("register_taken", build_register_taken)
