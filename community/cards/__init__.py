"""Share cards: an idea, a product or a campaign shown inside a conversation or a circle thread.

A card stores only (kind, id) and is rendered live through its kind's loader, so its figures
are never stale, and the community shows store data without importing the store: products/
registers "product" and "campaign" when the app starts, the community registers "idea".
Who may see a card's target is asked of its kind's loader and nowhere else.

    register_kind(name, label, load, url, template)
                                                load(ids, viewer) -> {id: context}, leaving
                                                out whatever the viewer may not see (no
                                                request needed); url(context) -> its page
    check_shareable(kind, id, viewer)           ValidationError unless the viewer sees it
    render(refs, viewer, place)                 {(kind, id): Markup}, one load per kind
    as_json(refs, viewer)                       {(kind, id): dict} for the API
    register_place(...)                         where cards can be shared (the share page)
    register_source(kind, find_sharer)          where an order can come from, and who shared
    sharer_for(kind, place_id, viewer, targets) the card there (the order's referrer)
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..forum.models import Thread
from ..ideas import service as ideas
from ..ideas.models import CLOSED_TO_VOTES, Idea
from ..kernel.errors import NotFound, ValidationError
from ..kernel.extensions import db
from ..web.fragments import Fragments

GONE_TEMPLATE = "community/cards/_gone.html"


@dataclass(frozen=True)
class CardKind:
    name: str
    label: object
    load: Callable
    url: Callable
    template: str


@dataclass(frozen=True)
class Place:
    """Where a card shows: its pre-order form records (kind, id) as the order's source."""

    kind: str
    id: int
    url: str


@dataclass(frozen=True)
class SharePlace:
    name: str
    label: object
    # choices(viewer) -> [(place_id, label)]: where the viewer may share right now.
    choices: Callable
    # share(place_id, viewer, kind, target_id, comment) -> URL of the card where it landed.
    share: Callable


KINDS: dict[str, CardKind] = {}
PLACES: dict[str, SharePlace] = {}
SOURCES: dict[str, Callable] = {}


def register_kind(name, label, load, url, template):
    KINDS[name] = CardKind(name, label, load, url, template)


def register_place(name, label, choices, share):
    PLACES[name] = SharePlace(name, label, choices, share)


def register_source(kind, find_sharer):
    """find_sharer(place_id, viewer, targets) -> user id or None; raises NotFound when the
    viewer may not see the place and ValidationError when no such card is there."""
    SOURCES[kind] = find_sharer


def check_kind(kind):
    if kind not in KINDS:
        raise ValidationError(_("Cards can show: %(kinds)s.", kinds=", ".join(KINDS)),
                              field="share", code="bad_card")
    return KINDS[kind]


def check_shareable(kind, target_id, viewer):
    """Sharing needs a target the sharer can see: a draft or a hidden idea is refused."""
    card = check_kind(kind)
    if not isinstance(target_id, int) or isinstance(target_id, bool) or \
            target_id not in card.load([target_id], viewer):
        raise ValidationError(_("You cannot share that: it does not exist or is not visible "
                                "to you."), field="share", code="share_not_visible")


def _load(refs, viewer):
    """{kind: {id: context with its url}}: one load per kind, whatever the count."""
    by_kind = {}
    for kind, target_id in refs:
        if kind in KINDS:
            by_kind.setdefault(kind, set()).add(target_id)
    loaded = {}
    for kind, ids in by_kind.items():
        contexts = KINDS[kind].load(sorted(ids), viewer)
        for context in contexts.values():
            context["url"] = KINDS[kind].url(context)
        loaded[kind] = contexts
    return loaded


def render(refs, viewer, place, fragments=None):
    """Each card rendered for this viewer; one it may not (or no longer) see says so."""
    loaded = _load(refs, viewer)
    fragments = fragments or Fragments()
    out = {}
    for kind, target_id in dict.fromkeys(refs):
        context = loaded.get(kind, {}).get(target_id)
        if context is None:
            out[(kind, target_id)] = fragments(GONE_TEMPLATE)
        else:
            out[(kind, target_id)] = fragments(KINDS[kind].template, card=context, place=place)
    return out


def as_json(refs, viewer):
    loaded = _load(refs, viewer)
    out = {}
    for kind, target_id in dict.fromkeys(refs):
        context = loaded.get(kind, {}).get(target_id)
        out[(kind, target_id)] = {
            "kind": kind, "id": target_id, "available": context is not None,
            "title": context["title"] if context else None,
            "url": context["url"] if context else None,
            "figures": context.get("figures", {}) if context else {},
        }
    return out


def sharer_for(kind, place_id, viewer, targets):
    """Who shared one of `targets` ((kind, id) pairs) at this place: the order's referrer."""
    find = SOURCES.get(kind)
    if find is None:
        raise ValidationError(_("Unknown order source."), field="source")
    if not isinstance(place_id, int) or isinstance(place_id, bool):
        raise NotFound(_("Nothing was shared there."))
    return find(place_id, viewer, targets)


# ---- the community's own kind: ideas ----------------------------------------

def _load_ideas(ids, viewer):
    staff = bool(viewer is not None and viewer.is_authenticated and viewer.is_staff)
    stmt = (select(Idea.id, Idea.status, Idea.votes, Thread.title)
            .join(Thread, Thread.id == Idea.thread_id).where(Idea.id.in_(ids)))
    if not staff:
        stmt = stmt.where(Thread.hidden.is_(False))
    rows = db.session.execute(stmt).all()
    voted = ideas.voted_ids(viewer, [r.id for r in rows])
    return {r.id: {"id": r.id, "title": r.title, "status": r.status, "votes": r.votes,
                   "voted": r.id in voted,
                   "takes_votes": r.status not in CLOSED_TO_VOTES,
                   "figures": {"votes": r.votes, "status": r.status}}
            for r in rows}


def register_community_kinds():
    register_kind("idea", _l("Idea"), _load_ideas,
                  lambda card: url_for("ideas.show", idea_id=card["id"]),
                  "community/cards/_idea.html")
