"""What can be reported: a registry of target kinds (kind -> how to find one for a viewer,
how to hide it, what staff see of it). The community registers its own kinds (kinds.py);
products/ registers "review" when the app starts, so this package never imports the store.

    register(name, label, find, context, set_hidden=None, edit_url=None)
        find(target_id, viewer) -> Target       NotFound unless the viewer may see it now:
                                                the one visibility rule for reports, so a
                                                report on what one cannot see is a 404
                                                exactly like one on nothing
        context(target_id, reporter_id) -> dict what the reporter could see of it, for the
                                                staff queue (community/reports/_context.html)
        set_hidden(target_id, hidden) -> bool   inside the caller's transaction; True when
                                                it changed (None: the kind cannot be hidden)
        edit_url(target_id) -> str | None       the target's own edit page
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _

from ..kernel.errors import NotFound


@dataclass(frozen=True)
class Target:
    kind: str
    id: int
    author_id: int | None
    title: str  # a title or an excerpt: the queue's snapshot
    # () -> where the reporter goes back to (built in a request only: services need none)
    link: Callable | None = None

    @property
    def url(self):
        return self.link() if self.link else None


@dataclass(frozen=True)
class TargetKind:
    name: str
    label: object
    find: Callable
    context: Callable
    set_hidden: Callable | None = None
    edit_url: Callable | None = None


KINDS: dict[str, TargetKind] = {}


def register(name, label, find, context, set_hidden=None, edit_url=None):
    if len(name) > 16:
        raise ValueError(f"a report target kind is at most 16 characters: {name!r}")
    KINDS[name] = TargetKind(name, label, find, context, set_hidden, edit_url)


def kind(name):
    """The registered kind; NotFound for any other name (a 404, as for a missing target)."""
    found = KINDS.get(name)
    if found is None:
        raise NotFound(_("Nothing to report here."))
    return found


def find(name, target_id, viewer):
    return kind(name).find(target_id, viewer)
