"""What a new post passes before it is written, and how a post kept back is written later.

Every writer of fan text (a thread, a reply, an idea, a circle's thread, an edit) calls
screen() before its transaction. It runs, in this order:

1. the guards: guard(author, body) raises a ValidationError (engagement registers the level
   a fan needs for links and images, so a low level is refused before anything else);
2. the screens: screen(author, kind, fields, submit_token) returns the fields it lets
   through (a watched word replaced), raises a ValidationError (a blocked word, a copy of
   the author's last posts) or raises HeldForApproval after saving the post for staff
   (community/gatekeeping registers the one screen there is).

A post kept back is written only when staff approve it, by the publisher registered for
its kind: publish(author, fields, submit_token) -> the Post written (a thread's opening
post), inside the approver's transaction, so what follows a new post (notifications,
search, points, the page cache) happens then and not before. place(fields) -> (label,
(endpoint, values) or None) says where it was going, for the staff queue and its author. Kinds without a
publisher (an edit, a card's comment) are never held: a screen refuses them instead.
"""

GUARDS = []
SCREENS = []
# kind -> Publisher
PUBLISHERS = {}


class Publisher:
    def __init__(self, publish, place):
        self.publish = publish
        self.place = place


def register_post_guard(guard):
    GUARDS.append(guard)


def guard_post(author, body):
    for guard in GUARDS:
        guard(author, body)


def register_screen(screen_fn):
    if screen_fn not in SCREENS:
        SCREENS.append(screen_fn)


def register_publisher(kind, publish, place):
    PUBLISHERS[kind] = Publisher(publish, place)


def screen(author, kind, fields, submit_token=None):
    """The fields to write (dict with "body" and maybe "title"), after every guard and
    screen; raises a ValidationError or HeldForApproval (kernel/errors.py)."""
    guard_post(author, fields["body"])
    for screen_fn in SCREENS:
        fields = screen_fn(author, kind, dict(fields), submit_token)
    return fields
