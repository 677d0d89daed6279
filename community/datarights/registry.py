"""Which columns point at an account, and what the data rights do with each.

Every column holding an account's id (a foreign key to users.id) has one Rule, declared
by the package that owns its table when the app is wired (community's in rules.py, the
store's from products/): whether the rows it finds are the account's own and go in
"download my data" (`export`), and what closing the account does to them (`on_close`):

    KEEP     the rows stay, pointing at the anonymised account ("deleted user"): votes,
             likes and points keep every total as it was
    DELETE   the rows go (addresses, tokens, follows, settings)
    NULL     the column is emptied, the row stays (someone else's row naming the account)
    CONTENT  what the member wrote: kept under "deleted user", or blanked by `remove`
             when the member chose to take their posts with them; `images` names the
             media owner kind of its rows' photos, which then go too (rows and files)
    RETAIN   kept as it is for the law's retention period (orders), then `scrub` empties
             its personal columns, by `age_column`

`reason` says why, for the rules that export nothing or keep something; a test fails on
an account column without a rule, so a new table is never silently left out.
"""

import re
from dataclasses import dataclass, field

from sqlalchemy import ForeignKey

KEEP, DELETE, NULL, CONTENT, RETAIN = "keep", "delete", "null", "content", "retain"
ACTIONS = (KEEP, DELETE, NULL, CONTENT, RETAIN)
# Never exported, whatever the table: secrets and lookup copies of exported values.
SECRET_COLUMNS = frozenset({
    "password_hash", "token_hash", "client_secret", "submit_token", "idempotency_key",
    "request_digest", "username_key", "username_skeleton", "claimed_by",
})


@dataclass(frozen=True)
class Rule:
    table: str
    column: str
    export: bool
    on_close: str
    reason: str = ""
    hide: tuple = ()  # more columns left out of the export
    remove: dict = field(default_factory=dict)  # CONTENT: set when the member chose removal
    images: str = ""  # CONTENT: media owner kind of the rows' photos, removed with them
    scrub: dict = field(default_factory=dict)  # RETAIN: set once the retention ends
    age_column: str = "created_at"  # RETAIN: the retention counts from this

    def __post_init__(self):
        if self.on_close not in ACTIONS:
            raise ValueError(f"{self.table}.{self.column}: unknown action {self.on_close!r}")
        if not self.export and not self.reason:
            raise ValueError(f"{self.table}.{self.column}: say why it is not exported")


RULES = {}  # (table, column) -> Rule
# Callables (user_id, keep_posts) run in the closing transaction; each may return the
# stored files, as (storage area, name), to delete once it commits.
AFTER_CLOSE = []


def declare(table, column, export, on_close, reason="", **options):
    """Declare (or, for a second app in the process, re-declare) one column's rule."""
    RULES[(table, column)] = Rule(table, column, export, on_close, reason, **options)


def after_close(func):
    """Run `func(user_id, keep_posts)` inside the transaction that closes an account, for
    what a rule cannot say (search documents to redo, files outside media_images); it may
    return [(storage area, file name)] to delete once the transaction commits."""
    if func not in AFTER_CLOSE:
        AFTER_CLOSE.append(func)
    return func


def rules():
    return sorted(RULES.values(), key=lambda rule: (rule.table, rule.column))


def exported():
    return [rule for rule in rules() if rule.export]


def retained():
    return [rule for rule in rules() if rule.on_close == RETAIN]


# Columns named like an account's id count even without a foreign key.
ACCOUNT_NAME_RE = re.compile(
    r"(^|_)(user|author|owner|buyer|actor|reporter|sharer|uploader|referrer|member)_id$"
    r"|_by_id$")


def account_columns(metadata):
    """(table, column) of every column holding an account's id: a foreign key to users.id,
    a column named like one, and the users table's own id."""
    found = {("users", "id")}
    for table in metadata.tables.values():
        for column in table.columns:
            if any(_points_at_users(fk) for fk in column.foreign_keys) \
                    or ACCOUNT_NAME_RE.search(column.name):
                found.add((table.name, column.name))
    return found


def _points_at_users(fk: ForeignKey):
    return fk.target_fullname == "users.id"


def unclassified(metadata):
    """Account columns without a rule: each must be exported or excluded with a reason."""
    return sorted(account_columns(metadata) - set(RULES))
