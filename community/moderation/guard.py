"""The one guard between a suspended member and every write, and the notice they see.

A suspended member reads everything they could read before, and writes nothing: no post,
reply, idea, vote, like, message, pre-order, review, circle or check-in. Rather than ask
each of a hundred write routes to remember, one before_request hook refuses every
request that is not a read (any method but GET, HEAD and OPTIONS) from a signed-in
suspended member, on pages and under /api/ alike (the API's token user is the request's
user by then: community/api sets it first). What stays open is listed in ALLOWED with
the reason; tests/community/moderation/test_suspended_writes.py walks the URL map and
fails on a write route that neither refuses nor is listed here.
"""

from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from ..kernel.errors import Forbidden

READS = frozenset({"GET", "HEAD", "OPTIONS"})

# Endpoint -> why a suspended member may still use it.
ALLOWED = {
    # Signing in and out, and the signed-out flows (a form posted from a stale tab).
    "accounts.logout": "signing out always works",
    "accounts.login": "a signed-out flow",
    "accounts.register": "a signed-out flow",
    "accounts.forgot_password": "a signed-out flow",
    "accounts.reset_password": "a signed-out flow",
    # Keeping the account safe: its password, address and credentials.
    "accounts.settings": "changing the password keeps the account safe",
    "accounts.change_email": "the account's address is the member's own data",
    "accounts.resend_confirmation": "confirming the account's address",
    "accounts.create_token": "a token only reads for a suspended member (this guard)",
    "accounts.revoke_token": "revoking a credential is always allowed",
    "api.create_token": "a token only reads for a suspended member (this guard)",
    "api.revoke_current_token": "revoking a credential is always allowed",
    "api.revoke_token": "revoking a credential is always allowed",
    # The member's own data and inbox (PIPL / GDPR: their rights do not pause).
    "addresses.new": "the member's own personal data",
    "addresses.edit": "the member's own personal data",
    "addresses.delete": "the member's own personal data",
    "addresses.make_default": "the member's own personal data",
    "addresses_api.create": "the member's own personal data",
    "addresses_api.change": "the member's own personal data",
    "addresses_api.delete": "the member's own personal data",
    "mail.preferences": "choosing which mail to receive",
    "mail.unsubscribe": "stopping mail always works",
    "i18n.switch": "the language of the pages they read",
    "notifications.read_all": "marking notices read is reading",
    # Protecting themselves and leaving: nothing anyone else reads.
    "messages.block": "blocking someone protects the member",
    "reports.new": "reporting abuse to staff protects the member",
    "reports_api.create": "reporting abuse to staff protects the member",
    "messages_api.block": "blocking someone protects the member",
    "messages.mute": "muting a conversation changes only the member's inbox",
    "circles.leave": "leaving a circle writes nothing others read",
    "circles.cancel_request": "withdrawing a request to join",
    # Money already committed: cancelling their own pre-order is their right.
    "orders.cancel": "cancelling one's own pre-order (money already committed)",
    "orders_api.cancel": "cancelling one's own pre-order (money already committed)",
    # Not a member's request: the payment provider's call.
    "payments.webhook": "the payment provider's notification, not the member",
}


def allowed(endpoint):
    return endpoint in ALLOWED


def suspended_message(user):
    until = user.suspended_until.strftime("%Y-%m-%d %H:%M UTC")
    return _("Your account is suspended until %(until)s: %(reason)s. You can read, but not "
             "post, vote, message or order until then.", until=until,
             reason=user.suspension_reason or _("no reason given"))


def refuse_suspended_writes():
    """before_request: a 403 (a page, or JSON {"error"} under /api/) for any write of a
    signed-in suspended member outside ALLOWED. Reads never reach the session here, so
    stored pages stay shareable."""
    if request.method in READS or request.endpoint is None or allowed(request.endpoint):
        return None
    if not current_user.is_authenticated or not current_user.is_suspended:
        return None
    raise Forbidden(suspended_message(current_user), code="suspended")


def notice_hole(user, _args):
    """The page-wide notice (a hole in base.html, filled per response for its reader):
    nothing unless the reader is suspended now."""
    if not user.is_authenticated or not user.is_suspended:
        return {"": ""}
    return {"": render_template("community/moderation/_notice.html",
                                until=user.suspended_until,
                                reason=user.suspension_reason)}
