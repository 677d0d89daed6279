"""Searchable kinds: what a document is made of, which rows exist, where a hit links to.

Each package registers its kinds when the app starts (products/ registers "product"), so
community/ never imports products/. A kind gives:

- load(ids) -> {id: Doc}: current documents for many ids at once; an id left out (gone,
  hidden, merged) is removed from the index. Applying an outbox row calls it, so it must
  read the database as it is now.
- ids() -> a select of one integer column: every id a rebuild indexes.
- url(doc) -> the page of a hit (called with a request or app context).
"""

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import nh3


@dataclass(frozen=True)
class Doc:
    kind: str
    id: int
    # Indexed text. A reply leaves title empty: its thread's title would make every reply
    # match it, burying the thread itself; `heading` is what a result shows instead.
    title: str
    body: str
    board_id: int | None
    created_at: datetime
    heading: str | None = None
    # Shown with a hit, read live (an idea's status and votes, a product's slug).
    extra: dict = field(default_factory=dict)

    @property
    def key(self):
        return f"{self.kind}:{self.id}"

    @property
    def shown_title(self):
        return self.heading or self.title


@dataclass(frozen=True)
class Kind:
    name: str
    label: object  # a lazy gettext string: the type filter's name
    load: Callable
    ids: Callable
    url: Callable
    # A thread of this kind belongs to the document (its title and opening post are the
    # document's, as an idea's are); for_thread(thread_id) gives the document's id.
    thread_kind: str | None = None
    for_thread: Callable | None = None


KINDS: dict[str, Kind] = {}


def register_kind(name, label, load, ids, url, thread_kind=None, for_thread=None):
    """Make a kind searchable; registering it again (a second app in the process) replaces it."""
    KINDS[name] = Kind(name, label, load, ids, url, thread_kind, for_thread)


def owner_of_thread_kind(thread_kind):
    """The kind whose documents carry threads of `thread_kind`, or None."""
    return next((k for k in KINDS.values() if k.thread_kind and k.thread_kind == thread_kind), None)


_BLOCK_END = re.compile(r"</(?:p|li|h[1-6]|pre|blockquote|tr|td|th)>|<br\s*/?>|<hr\s*/?>", re.I)


def html_text(body_html):
    """Plain text of rendered, sanitised Markdown. Block ends become line breaks first, so
    "end.</p><p>Next" does not index as one word "end.next"."""
    text = nh3.clean(_BLOCK_END.sub("\n", body_html or ""), tags=set())
    return html.unescape(text).strip()
