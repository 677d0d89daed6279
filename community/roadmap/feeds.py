"""The community's Atom feeds (community/web/feeds.py serves them): new ideas, status
changes and release notes. Each shows what any visitor may see and nothing else: ideas
on listed boards whose thread is not hidden (board.visible_ideas), their opening post
unless it is hidden or deleted; never a circle's thread, never the reader's own."""

from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import and_

from ..accounts.models import User
from ..forum import boards
from ..forum.models import Post, Thread
from ..ideas.labels import STATUS_NAMES
from ..ideas.models import Idea, StatusChange
from ..kernel.errors import NotFound
from ..kernel.extensions import db
from ..web.feeds import Entry, Feed
from . import notes
from .board import visible_ideas

FEED_SIZE = 30


def _board(slug):
    """A listed board by its slug, or NotFound (circles' boards have no feeds)."""
    board = boards.get_board(slug)
    if not board.listed:
        raise NotFound(_("No such board."))
    return board


def new_ideas(key):
    """The newest ideas, on the board named by `key` or everywhere."""
    board = _board(key) if key else None
    opening = and_(Post.thread_id == Thread.id, Post.position == 0, Post.hidden.is_(False),
                   Post.deleted_at.is_(None))
    stmt = (visible_ideas(Idea.id, Thread.title, Idea.created_at, Post.edited_at,
                          User.username, Post.body_html)
            .outerjoin(Post, opening).order_by(Idea.created_at.desc(), Idea.id.desc())
            .limit(FEED_SIZE))
    if board is not None:
        stmt = stmt.where(Idea.board_id == board.id)
    entries = [Entry(url_for("ideas.show", idea_id=idea_id), title,
                     max(created_at, edited_at or created_at), username, body_html or "",
                     published=created_at)
               for idea_id, title, created_at, edited_at, username, body_html
               in _execute(stmt)]
    if board is None:
        return Feed(_("New ideas on Fanforge"), url_for("ideas.index", sort="new"), entries)
    return Feed(_("New ideas on %(board)s", board=board.name),
                url_for("ideas.board_ideas", slug=board.slug, sort="new"), entries)


def status_changes(key):
    """The latest status changes of ideas, on one board or everywhere."""
    board = _board(key) if key else None
    actor = User.__table__.alias("actor")
    stmt = (visible_ideas(StatusChange.id, Idea.id, Thread.title, StatusChange.from_status,
                          StatusChange.to_status, StatusChange.created_at, actor.c.username,
                          StatusChange.response_html)
            .join(StatusChange, StatusChange.idea_id == Idea.id)
            .join(actor, actor.c.id == StatusChange.actor_id)
            .where(StatusChange.from_status != StatusChange.to_status)
            .order_by(StatusChange.created_at.desc(), StatusChange.id.desc()).limit(FEED_SIZE))
    if board is not None:
        stmt = stmt.where(Idea.board_id == board.id)
    entries = []
    for change_id, idea_id, title, was, now, at, username, html in _execute(stmt):
        path = url_for("ideas.show", idea_id=idea_id)
        entries.append(Entry(
            path, _("%(title)s: %(from)s → %(to)s", title=title,
                    **{"from": STATUS_NAMES.get(was, was), "to": STATUS_NAMES.get(now, now)}),
            at, username, html or "", id_path=f"{path}#change-{change_id}"))
    if board is None:
        return Feed(_("Idea status changes on Fanforge"), url_for("roadmap.index"), entries)
    return Feed(_("Idea status changes on %(board)s", board=board.name),
                url_for("roadmap.index", board=board.slug), entries)


def release_notes(key):
    """The latest release notes, each with whom it credits."""
    if key:
        raise NotFound(_("No such feed."))
    entries = [Entry(url_for("roadmap.release", note_id=note.id), note.title, note.published_at,
                     note.author.username, _with_credits(note))
               for note in notes.latest(FEED_SIZE)]
    return Feed(_("Release notes from Fanforge"), url_for("roadmap.releases"), entries)


def _with_credits(note):
    # bandit B704, reviewed: body_html is the Markdown renderer's sanitised output.
    return Markup(note.body_html) + credits_html(note)  # nosec B704


def credits_html(note):
    if not note.credits:
        return Markup("")
    names = ", ".join(credit.user.username for credit in note.credits)
    return Markup("<p>%s</p>") % _("Thanks to %(names)s.", names=names)


def _execute(stmt):
    return db.session.execute(stmt)
