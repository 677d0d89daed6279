"""Domain events. Services send them inside their transaction, so whatever a
listener writes (a notification, a search-outbox row, points) commits or rolls
back with the change that caused it. Listeners never commit.

Senders pass the acting object as sender and the rest as keyword arguments.
"""

from blinker import Namespace

_events = Namespace()

user_registered = _events.signal("user-registered")
thread_created = _events.signal("thread-created")
post_created = _events.signal("post-created")
post_edited = _events.signal("post-edited")
post_deleted = _events.signal("post-deleted")
post_liked = _events.signal("post-liked")
# Staff hid or restored a thread, post or other content: kind, id, hidden.
content_moderated = _events.signal("content-moderated")
user_banned = _events.signal("user-banned")
