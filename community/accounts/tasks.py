"""Accounts' periodic job: forget what has expired (as `flask users purge-expired` does)."""

from ..kernel import jobs
from . import tokens, verification


@jobs.periodic("accounts.purge_expired", minute="20")
def purge_expired():
    pending = verification.expire_pending()
    revoked = tokens.purge_revoked()
    return f"{pending} expired address change(s), {revoked} old revoked API token(s)"
