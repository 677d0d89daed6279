"""Slots on community pages that other packages fill, so the arrow holds.

The store shows a campaign widget on an idea page and on a participation
thread; the community only knows there is a slot. A provider is
`provider(obj, viewer) -> (template_name, context) | None`, registered when the
app starts, personal or not (see register); pages call `{{ panels("idea", idea) }}`.
"""

from flask import current_app
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.orm import lazyload

from ..kernel.extensions import db
from .fragments import Fragments
from .pagecache import per_user

# "staff_jobs" is a section of the staff jobs page (no object: its panels get None);
# "shipped" the shipped ideas' page (its panels get the page's ideas).
SLOTS = ("idea", "thread", "profile", "settings", "staff_jobs", "shipped")
EXTENSION = "fanforge_panels"
# The model each slot shows (idea, thread, account), given by the community's wiring:
# this layer stands below the packages that own them.
MODELS = {}


def register_model(slot, model):
    if slot not in SLOTS:
        raise ValueError(f"unknown panel slot {slot!r}")
    MODELS[slot] = model


def register(app, slot, provider, personal=True):
    """personal=False: the panel shows the same to every reader of the page (it may read
    the viewer's role, or leave holes of its own), so it is drawn into a page that can be
    shared; a personal one is a hole filled per response (community/web/pagecache/holes.py)."""
    if slot not in SLOTS:
        raise ValueError(f"unknown panel slot {slot!r}")
    app.extensions.setdefault(EXTENSION, {}).setdefault(slot, []).append((provider, personal))


def _providers(slot):
    return current_app.extensions.get(EXTENSION, {}).get(slot, ())


def render(slot, obj=None):
    """Template global: the slot's panels, in the order they were registered."""
    parts, draw = [], _drawer()
    for index, (provider, personal) in enumerate(_providers(slot)):
        parts.append(per_user("panels", f"{slot}:{obj.id}:{index}") if personal
                     else draw(provider(obj, current_user)))
    return Markup("").join(parts)


def render_holes(viewer, args):
    out, objects, draw = {}, {}, _drawer()
    for arg in args:
        slot, obj_id, index = arg.split(":")
        key = slot, int(obj_id)
        if key not in objects:
            # Without the model's joined relations: a provider that wants one loads it.
            objects[key] = db.session.get(MODELS[slot], key[1], options=[lazyload("*")])
        if objects[key] is not None:
            provider, _personal = _providers(slot)[int(index)]
            out[arg] = draw(provider(objects[key], viewer))
    return out


def _drawer():
    """draw(found) for one slot's panels: the app's context processors run once for all
    of them (an idea page has five providers), and only if one has something to show."""
    made = []

    def draw(found):
        if not found:
            return Markup("")
        if not made:
            made.append(Fragments())
        template, context = found
        return made[0](template, **context)

    return draw
