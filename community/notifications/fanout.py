"""Writing notifications in bulk, and reading what a post says (mentions, an excerpt).

`fan_out` turns "everyone in this SELECT" into one INSERT ... SELECT, so a status
change on an idea with 10,000 followers costs one statement, not 10,000. `notify` tells
one known person (a buyer about their order) with an INSERT built once per set of
columns: building the INSERT ... SELECT cost more Python than running it.
"""

import html
import re

import nh3
from sqlalchemy import bindparam, insert, literal, select, true
from sqlalchemy.sql.elements import ColumnElement

from ..accounts.models import User
from ..accounts.names import key
from ..kernel.compiled import write_rows
from ..kernel.database import conflict_insert, utcnow
from ..kernel.extensions import db
from .models import EXCERPT_MAX, TITLE_MAX, Notification

_TABLE = Notification.__table__
_COLUMNS = _TABLE.c
_LIMITS = {"title": TITLE_MAX, "detail": TITLE_MAX, "excerpt": EXCERPT_MAX}

# "@name" not inside an e-mail address or a path; names follow accounts.USERNAME_RE.
# Only ASCII letters before the "@" block it: Chinese text runs on without spaces.
MENTION_RE = re.compile(r"(?<![A-Za-z0-9_@/.-])@([\w-]{2,32})")
# Code is quoted text: "@decorator" in a snippet pings nobody.
CODE_RE = re.compile(r"```.*?```|~~~.*?~~~|`[^`\n]*`", re.S)
# One post cannot page a whole community.
MAX_MENTIONS = 20


def clip(text, limit):
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def excerpt_of_html(body_html, limit=EXCERPT_MAX):
    """Plain text of rendered (already sanitised) Markdown, cut short for a list."""
    return clip(html.unescape(nh3.clean(body_html or "", tags=set())), limit)


def mentioned_names(body):
    """Lookup keys (accounts' names.key) of the usernames @mentioned in a post body, each
    once, in order of appearance: `@ＡＬＩＣＥ` mentions alice."""
    names = MENTION_RE.findall(CODE_RE.sub(" ", body or ""))
    return list(dict.fromkeys(key(n) for n in names))[:MAX_MENTIONS]


def users_named(keys):
    """SELECT id AS user_id of the accounts with these lookup keys (to embed)."""
    return select(User.id.label("user_id")).where(User.username_key.in_(keys))


def one(user_id):
    """A recipients SELECT of one known user."""
    return select(literal(user_id).label("user_id"))


def _value(name, value):
    if isinstance(value, ColumnElement):
        return value.label(name)
    if name in _LIMITS:
        value = clip(value, _LIMITS[name])
    return literal(value, type_=_COLUMNS[name].type).label(name)


def fan_out(kind, recipients, exclude=(), once=False, **values):
    """Notify everyone `recipients` (a SELECT with a user_id column) names, in one statement.

    Other columns of `recipients` named like Notification's (title, idea_id, ...)
    fill those columns row by row; `values` fill the rest for every row. Ids in
    `exclude` (the actor, say) are left out. With `once` (and a ref_key in `values`) a
    person who already has this (kind, ref_key) is skipped: ON CONFLICT DO NOTHING.
    """
    people = recipients.subquery("people")
    row = {"user_id": people.c.user_id, "kind": kind, "created_at": utcnow()}
    row.update({c.name: c for c in people.c if c.name != "user_id"})
    row.update({k: v for k, v in values.items() if v is not None})
    rows = select(*(_value(name, value) for name, value in row.items()))
    for user_id in {u for u in exclude if u is not None}:
        rows = rows.where(people.c.user_id != user_id)
    if not once:
        db.session.execute(insert(Notification).from_select(list(row), rows))
        return
    # WHERE true: SQLite would otherwise read ON CONFLICT as part of the SELECT's join.
    stmt = conflict_insert(Notification).from_select(list(row), rows.where(true()))
    db.session.execute(stmt.on_conflict_do_nothing())


# notify's INSERTs, one per set of columns given (a handful of listeners, a few shapes each).
_ONE_ROW = {}


def notify(kind, user_id, **values):
    """Notify one person (fan_out of `one(user_id)`): values fill the columns as in
    fan_out. Returns the notification's id."""
    row = {"user_id": user_id, "kind": kind, "created_at": utcnow()}
    row.update({name: clip(value, _LIMITS[name]) if name in _LIMITS else value
                for name, value in values.items() if value is not None})
    names = tuple(row)
    stmt = _ONE_ROW.get(names)
    if stmt is None:
        stmt = _ONE_ROW[names] = insert(_TABLE).values(
            {name: bindparam(name, type_=_COLUMNS[name].type) for name in names}
        ).returning(_COLUMNS.id)
    [(note_id,)] = write_rows(stmt, **row)
    return note_id
