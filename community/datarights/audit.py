"""Where the data rights' actions meet the staff audit log (issue 25).

community/moderation's record_audit is being written beside this package; until it is
merged, `record` is the single call site to switch: it logs the action instead.
"""

from flask import current_app


def record(action, user_id, ref_id=None):
    """Note `action` by account `user_id` (about `ref_id`) in the staff audit log."""
    current_app.logger.info("audit: %s by user %s (%s)", action, user_id, ref_id)
