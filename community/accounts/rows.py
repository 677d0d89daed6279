"""Accounts as a list shows them beside what they wrote: name, role and level.

A page of 20 ideas or posts loaded with their full User objects spent more Python on the
accounts (every column, the identity map) than on anything it showed; these come from
the list's own statement, four columns, and give what the templates and the API ask of
an author (user_link, the staff badge, user_json). moment() reads a datetime of such a
row as the driver gives it.
"""


from ..kernel.reads import moment  # noqa: F401 (the accounts' rows readers import it from here)
from .levels import level_for
from .models import User

AUTHOR_COLUMNS = (User.id, User.username, User.role, User.points, User.avatar)


class Author:
    __slots__ = ("id", "username", "role", "points", "avatar")

    def __init__(self, user_id, username, role, points, avatar=None):
        self.id, self.username, self.role, self.points = user_id, username, role, points
        self.avatar = avatar  # the uploaded avatar's token, or None (community/avatars/)

    @property
    def level(self):
        return level_for(self.points)

    def __repr__(self):
        return f"<Author {self.username}>"
