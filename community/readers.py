"""The signed-in reader of a stored page, from one statement.

A fan's hit on a stored page (community/pagecache.py) needs little of its reader: role
and locale for the key, id and name for the holes, and the header's figures (unread
notifications and conversations, today's check-in). A Reader is read with all of that
in one Core statement, where the full account and then the figures took two through
the ORM. Whatever else is asked of a Reader loads the full account, once; a page
rendered for them (a miss) gets the full account before its view runs.
"""

from flask import g
from sqlalchemy import bindparam, select

from . import header
from .accounts import service as accounts
from .accounts.models import AccountFacts, User
from .extensions import db

_ROW = (User.id, User.username, User.role, User.locale, User.banned_at, User.auth_version)
_READER = select(*_ROW, *header.FIGURES).where(User.id == bindparam("user_id"))


class Reader(AccountFacts):
    def __init__(self, row):
        self.id, self.username, self.role, self.locale, self.banned_at, self.auth_version = \
            row[:len(_ROW)]
        self._account = None

    @property
    def account(self):
        """The full account (one more statement, the first time)."""
        if self._account is None:
            self._account = db.session.get(User, self.id)
        return self._account

    def __getattr__(self, name):  # only what the row does not hold gets here
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.account, name)

    def __repr__(self):
        return f"<Reader {self.username}>"


def load_reader(session_id):
    """Flask-Login's loader when a stored page asks (g.light_reader): a Reader, under
    the same rules as accounts.load_session_user, and the header's figures noted."""
    parsed = accounts.parse_session_id(session_id)
    if parsed is None:
        return None
    row = db.session.connection().execute(
        _READER, header.figure_parameters(parsed[0])).one_or_none()
    reader = Reader(row) if row is not None else None
    if not accounts.session_still_valid(reader, parsed[1]):
        return None
    header.keep_figures(row)
    return reader


def load_user(session_id):
    """Flask-Login's user loader: the full account, or a Reader when asked for one."""
    if g.get("light_reader"):
        return load_reader(session_id)
    return accounts.load_session_user(session_id)
