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
# liked=True for a new like, False for a withdrawn one.
post_liked = _events.signal("post-liked")
# Staff hid or restored a thread, post or other content: kind, id, hidden.
content_moderated = _events.signal("content-moderated")
user_banned = _events.signal("user-banned")
# A reply the server refused whose form cannot be drawn again where it was typed (a reply
# on an idea's page is posted to the thread's URL): sender is the author; thread_id,
# body, url (the page to go back to) and error are what the composer keeps for them.
reply_refused = _events.signal("reply-refused")
# A signed-in reader picked a language in the header (the web layer's switch): sender
# is the user, locale the choice; accounts keeps it as their setting.
locale_chosen = _events.signal("locale-chosen")

# Ideas. sender is the Idea.
idea_created = _events.signal("idea-created")
# voted=True for a new vote, False for a withdrawn one; user is the voter. The sender
# may be a row of the idea (a plain vote reads no Idea): id, author_id, board_id, status.
idea_voted = _events.signal("idea-voted")
# change is the StatusChange row (its response may be empty); actor is staff.
idea_status_changed = _events.signal("idea-status-changed")
# sender is the merged idea; target is the idea it now lives on in.
idea_merged = _events.signal("idea-merged")

# Rounds. sender is the Round.
round_opened = _events.signal("round-opened")
round_closed = _events.signal("round-closed")
# Staff accepted ideas of a closed round (now planned): ideas is a list of Idea.
round_ideas_accepted = _events.signal("round-ideas-accepted")
