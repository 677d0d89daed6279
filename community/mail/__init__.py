"""Mail: an outbox written with its cause, sent by a worker, rendered per recipient.

    queue(kind, user_id=None, to=None, ref_id=None)   a mail to send (inside the transaction)
    register_kind(kind, build)                        build(row) -> Letter or None, at send time
    Letter(to, subject, template, locale, ...)        what a builder returns
    locale_of(user)                                   the language to write to someone in

Sending (sender.send_due) happens in `flask worker` or `flask mail send`, never in the
request that caused the mail.
"""

from .outbox import queue
from .render import Letter, locale_of, register_kind

__all__ = ["Letter", "locale_of", "queue", "register_kind"]
