"""The signed-in reader of a stored page, from one statement.

A fan's hit on a stored page (community/web/pagecache/serving.py) needs little of its reader: role
and locale for the key, id and name for the holes, and the header's figures (unread
notifications and conversations, today's check-in). A Reader is read with all of that
in one Core statement, where the full account and then the figures took two through
the ORM. A page members share that is rendered (a miss, or the page cache off) is drawn
for a Reader too: its render may know of its reader only what the audience key says
(pagecache/audience.py) and its holes their facts, all of it in the row. Whatever else is
asked of a Reader loads the full account, once; every other request gets the account.
"""

from flask import g
from sqlalchemy import bindparam, select

from ..accounts import service as accounts
from ..accounts.models import READER_COLUMNS, Reader, User
from ..kernel.compiled import rows_of
from ..web.pagecache.audience import member_page_read
from . import header

_READER = select(*READER_COLUMNS, *header.FIGURES).where(User.id == bindparam("user_id"))


def load_reader(session_id):
    """Flask-Login's loader when a stored page asks (g.light_reader): a Reader, under
    the same rules as accounts.load_session_user, and the header's figures noted."""
    parsed = accounts.parse_session_id(session_id)
    if parsed is None:
        return None
    rows = rows_of(_READER, **header.figure_parameters(parsed[0]))
    reader = Reader(rows[0]) if rows else None
    if not accounts.session_still_valid(reader, parsed[1]):
        return None
    header.keep_figures(rows[0])
    return reader


def load_user(session_id):
    """Flask-Login's user loader: a Reader when asked for one or for a page members share
    (all its render may know of its reader is in the row), else the full account."""
    if g.get("light_reader") or member_page_read():
        return load_reader(session_id)
    return accounts.load_session_user(session_id)
