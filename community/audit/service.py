"""Writing and reading the staff audit log.

record_audit adds its row to the caller's transaction, so the entry and the action it
records commit together or not at all; call it inside the use case's `transaction()`.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..kernel.extensions import db
from ..web.pagination import paginate
from .models import AuditEntry

MAX_DETAIL = 500
MAX_TARGET = 64

# What each action is called on the staff page; an action not named here shows as is.
ACTION_NAMES = {
    "role": _l("Role changed"),
    "refund": _l("Refund"),
    "campaign_edit": _l("Campaign edited"),
    "fcode_issue": _l("F-codes issued"),
    "export": _l("Data exported"),
}


def record_audit(actor, action, target, detail=""):
    """Log a staff action: `actor` a user (or None for the command line and the worker),
    `action` a short code word ("role", "refund", "campaign_edit", "fcode_issue",
    "export"), `target` what it was done to ("user:12", "order:40"), `detail` a line
    of text. Inside the caller's transaction."""
    entry = AuditEntry(actor_id=getattr(actor, "id", None), action=action[:32],
                       target=str(target)[:MAX_TARGET], detail=(detail or "")[:MAX_DETAIL])
    db.session.add(entry)
    return entry


def entries(page, per_page, target=None):
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc())
    if target:
        stmt = stmt.where(AuditEntry.target == target)
    return paginate(stmt, page, per_page)


def user_names(entries):
    """{target ("user:12"): that user's name as it is now} for the entries on users: an
    entry names a user by id only, so a closed account shows its anonymised name. The
    table by name: accounts writes this log, and this package must not import it back."""
    ids = {int(e.target[5:]) for e in entries
           if e.target.startswith("user:") and e.target[5:].isdigit()}
    if not ids:
        return {}
    users = db.metadata.tables["users"]
    return {f"user:{user_id}": name for user_id, name in db.session.execute(
        select(users.c.id, users.c.username).where(users.c.id.in_(ids)))}
