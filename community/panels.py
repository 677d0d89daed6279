"""Slots on community pages that other packages fill, so the arrow holds.

The store shows a campaign widget on an idea page and on a participation
thread; the community only knows there is a slot. A provider is
`provider(obj, viewer) -> (template_name, context) | None`, registered when the
app starts; pages call `{{ panels("idea", idea) }}`.
"""

from flask import current_app, render_template
from flask_login import current_user
from markupsafe import Markup

SLOTS = ("idea", "thread", "profile")


def register(app, slot, provider):
    if slot not in SLOTS:
        raise ValueError(f"unknown panel slot {slot!r}")
    app.extensions.setdefault("fanforge_panels", {}).setdefault(slot, []).append(provider)


def render(slot, obj, viewer=None):
    viewer = viewer if viewer is not None else current_user
    parts = []
    for provider in current_app.extensions.get("fanforge_panels", {}).get(slot, ()):
        found = provider(obj, viewer)
        if found:
            template, context = found
            parts.append(render_template(template, **context))
    return Markup("".join(parts))
