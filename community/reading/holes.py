"""The per-reader parts of thread pages and lists, filled per response
(community/web/pagecache/holes.py): never part of a page other readers are shown."""

import logging

from flask_babel import gettext as _
from flask_babel import ngettext, pgettext
from markupsafe import Markup
from sqlalchemy.exc import SQLAlchemyError

from . import service

log = logging.getLogger(__name__)


def read_mark_holes(user, args):
    """``per_user('read_mark', thread_id)`` on a thread's (or idea's) page: the reader has
    seen it, on a fresh render and on a stored page's hit alike. Draws nothing."""
    if user.is_authenticated:
        for arg in args:
            try:
                service.mark_read(user.id, int(arg))
            except SQLAlchemyError:
                # A mark not moved (the database busy past its timeout) costs a marker
                # shown once too often, never the page.
                log.warning("read mark not moved for thread %s", arg, exc_info=True)
    return {arg: "" for arg in args}


def _badge(what, count):
    if what == "new":
        label = text = pgettext("unread", "New")
    else:
        label = ngettext("%(num)d new reply", "%(num)d new replies", count)
        text = _("%(num)d new", num=count)
    return Markup('<span class="badge unread" data-testid="unread" title="%s">%s</span>'
                  ) % (label, text)


def _badges(user, kind, args):
    if not user.is_authenticated:
        return {}
    # A list's rows share a few badges ("New" on most of a new reader's): each is drawn
    # once per list, not translated and formatted again for every row.
    drawn, out = {}, {}
    for key, found in service.unread(user.id, kind, args).items():
        if (badge := drawn.get(found)) is None:
            badge = drawn[found] = _badge(*found)
        out[str(key)] = badge
    return out


def unread_holes(user, args):
    """``per_user('unread', thread_id)`` in a thread list: "3 new" or "New" for this reader."""
    return _badges(user, "thread", args)


def unread_idea_holes(user, args):
    """``per_user('unread_idea', idea_id)`` in an idea list."""
    return _badges(user, "idea", args)
