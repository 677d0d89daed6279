"""Slots on community pages that other packages fill, so the arrow holds.

The store shows a campaign widget on an idea page and on a participation
thread; the community only knows there is a slot. A provider is
`provider(obj, viewer) -> (template_name, context) | None`, registered when the
app starts; pages call `{{ panels("idea", idea) }}`.
"""

from flask import current_app, render_template
from markupsafe import Markup
from sqlalchemy.orm import lazyload

from .extensions import db
from .pageholes import per_user

SLOTS = ("idea", "thread", "profile")


def register(app, slot, provider):
    if slot not in SLOTS:
        raise ValueError(f"unknown panel slot {slot!r}")
    app.extensions.setdefault("fanforge_panels", {}).setdefault(slot, []).append(provider)


def render(slot, obj):
    """Template global: the slot's panels for whoever is looking, left as a hole of the
    page (community/pageholes.py): a campaign widget or a share link is the viewer's own."""
    return per_user("panels", f"{slot}:{obj.id}")


def render_holes(viewer, args):
    out = {}
    for arg in args:
        slot, _, obj_id = arg.partition(":")
        # Without the model's joined relations: a provider that wants one loads it.
        obj = db.session.get(_model(slot), int(obj_id), options=[lazyload("*")])
        if obj is not None:
            out[arg] = render_for(slot, obj, viewer)
    return out


def render_for(slot, obj, viewer):
    parts = []
    for provider in current_app.extensions.get("fanforge_panels", {}).get(slot, ()):
        found = provider(obj, viewer)
        if found:
            template, context = found
            parts.append(render_template(template, **context))
    return Markup("".join(parts))


def _model(slot):
    from .accounts.models import User
    from .forum.models import Thread
    from .ideas.models import Idea

    return {"idea": Idea, "thread": Thread, "profile": User}[slot]
