"""Notification kinds and audiences other packages add: the store's, which the community
may not import (the one arrow, DESIGN.md). products/ registers them when the app starts.

A kind says how its notice reads (text(event) -> str, in the reader's language: it runs
where the notice is shown or mailed), where it leads (url(event)), its name on the mail
settings page, and whether it is mailed at once by default. An audience is a function
returning a SELECT with a user_id column: whom a notice sent in batches reaches
(mail/broadcast.py), from JSON-able arguments stored with the batch.
"""

from dataclasses import dataclass

from .models import KINDS


@dataclass(frozen=True)
class Kind:
    name: str
    label: object  # a lazy string: the mail settings row
    text: object  # text(event) -> str
    url: object  # url(event) -> str
    immediate: bool = False


EXTRA = {}
LABELS = {}  # kind -> label, read with mail/labels.py's names (a ChainMap)
AUDIENCES = {}


def register(name, label, text, url, immediate=False):
    if len(name) > 24:
        raise ValueError(f"a notification kind is at most 24 characters: {name!r}")
    EXTRA[name] = Kind(name, label, text, url, immediate)
    LABELS[name] = label


def register_audience(name, select_users):
    AUDIENCES[name] = select_users


def names():
    """Every kind: the community's, then the registered ones."""
    return (*KINDS, *EXTRA)


def immediate_by_default(base):
    return (*base, *(k.name for k in EXTRA.values() if k.immediate))
