"""Where the data rights' actions meet the staff audit log (community/audit).

The member is the one acting; the entry names them by id only (never a name or an
address), so a closed account's purge leaves nothing of them in the log.
"""

from ..audit.service import record_audit


def record(action, user_id, ref_id=None):
    """Note `action` by account `user_id` (about `ref_id`), inside the caller's transaction."""
    record_audit(None, action, f"user:{user_id}", "" if ref_id is None else f"ref {ref_id}")
