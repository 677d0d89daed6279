"""Release notes on the community's own pages, through their panel slots
(community/web/panels.py): the shipped list, a credited fan's profile, an idea. Each is
the same for every reader of the page (staff also get a link to write a note), so the
page stays shared."""

from flask_babel import gettext as _

from . import notes

PROFILE_NOTES = 10
# An idea at these statuses may get a note from staff (publishing one ships it).
NOTE_READY = ("planned", "in_progress", "shipped")


def shipped_panel(ideas, viewer):
    found = notes.announcing([idea.id for idea in ideas])
    if not found:
        return None
    return "community/roadmap/_notes_panel.html", {
        "notes": found, "full": True, "title": _("Release notes"), "testid": "shipped-notes",
        "write_for": None}


def profile_panel(user, viewer):
    found = notes.crediting(user.id, PROFILE_NOTES)
    if not found:
        return None
    return "community/roadmap/_notes_panel.html", {
        "notes": found, "full": False, "testid": "profile-notes", "write_for": None,
        "title": _("Credited in release notes")}


def idea_panel(idea, viewer):
    found = notes.announcing([idea.id])
    staff = viewer.is_authenticated and viewer.is_staff and idea.status in NOTE_READY
    if not found and not staff:
        return None
    return "community/roadmap/_notes_panel.html", {
        "notes": found, "full": False, "testid": "idea-notes",
        "write_for": idea.id if staff else None,
        "title": _("Release notes") if found else _("No release note yet")}
