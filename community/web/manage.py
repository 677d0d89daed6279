"""The staff's Manage menu: every staff page one click from any page's header (and from
Me on a phone), instead of a URL to remember.

Packages add their pages when the app starts (add_entry: the community its moderation
pages, the store its products and campaigns), so the arrow holds: this layer knows only
endpoints and labels. The menu is a hole (``per_user('manage_menu')`` in base.html,
community/web/pagecache/holes.py): a shared page never carries it, and a fan or a visitor
is given nothing. Its HTML depends on the reader's role alone (the facts it is kept by).
It is a <details> disclosure: it opens and closes without script, by keyboard too."""

from typing import NamedTuple

from flask import current_app, render_template

from .pagecache import remember

EXTENSION = "fanforge_manage_menu"
# The menu's groups, in the order they are shown.
GROUPS = ("store", "community", "system")


class Entry(NamedTuple):
    group: str
    endpoint: str
    label: object  # a lazy string: translated when drawn
    admin: bool
    testid: str


class MenuFacts(NamedTuple):
    """All the menu shows of its reader: whether they are an admin (only staff see it)."""
    admin: bool


def add_entry(app, group, endpoint, label, admin=False, testid=""):
    """A page in the Manage menu; `label` a lazy string, `admin` for admins alone."""
    if group not in GROUPS:
        raise ValueError(f"unknown Manage menu group {group!r}")
    app.extensions.setdefault(EXTENSION, []).append(
        Entry(group, endpoint, label, admin, testid or endpoint.replace(".", "-")))


def entries(admin):
    """{group: [entries]} for a staff member (admin or not), groups in GROUPS' order."""
    found = {group: [] for group in GROUPS}
    for entry in current_app.extensions.get(EXTENSION, ()):
        if admin or not entry.admin:
            found[entry.group].append(entry)
    return {group: rows for group, rows in found.items() if rows}


def _draw(facts):
    return render_template("_manage_menu.html", groups=entries(facts.admin))


def menu_hole(user, args):
    """The hole's renderer: the menu for staff, nothing for anyone else."""
    if not (user.is_authenticated and user.is_staff):
        return {arg: "" for arg in args}
    html = remember("manage_menu", "", MenuFacts(admin=bool(user.is_admin)), _draw)
    return {arg: html for arg in args}


def init_app(app):
    app.add_template_global(entries, "manage_entries")
