"""Release notes: staff write one when ideas ship, and it credits the fans behind them.

publish() marks the note's ideas shipped (those not shipped yet, each with the note as
its official response, as a status change would) and writes the note with its credits
in one transaction: every idea's proposer, and, for an idea that grew into a product,
the product's co-creators who hold their rights (links.py asks the store). Credits are
written once, when the note goes out, so a note keeps naming whom it thanked.

Notes are public; a note's ideas show only while a visitor may see them (roadmap
board.visible_ideas): an idea hidden later drops off its note, the note stays.
"""

from flask_babel import gettext as _
from sqlalchemy import bindparam, select

from ..accounts.models import User
from ..accounts.rows import AUTHOR_COLUMNS, Author, moment
from ..forum.models import Thread
from ..forum.moderation import ensure_staff
from ..ideas.models import Idea
from ..ideas.statuses import record_change
from ..kernel import signals
from ..kernel.database import transaction
from ..kernel.errors import Conflict, NotFound, ValidationError
from ..kernel.extensions import db
from ..kernel.reads import rows_among
from ..web.markdown import render
from ..web.pagination import Page
from . import links
from .board import visible_ideas
from .models import ReleaseNote, ReleaseNoteCredit, ReleaseNoteIdea

MAX_TITLE, MAX_BODY, MAX_IDEAS = 120, 20_000, 50


def check_note(title, body, idea_ids):
    """(title, body, idea ids) as publish keeps them, or a ValidationError."""
    title, body = (title or "").strip(), (body or "").strip()
    if not 1 <= len(title) <= MAX_TITLE:
        raise ValidationError(_("Give the release note a title of at most %(n)d characters.",
                                n=MAX_TITLE), field="title")
    if not body:
        raise ValidationError(_("Write what shipped."), field="body")
    if len(body) > MAX_BODY:
        raise ValidationError(_("Keep the release note under %(n)d characters.", n=MAX_BODY),
                              field="body")
    try:
        ids = list(dict.fromkeys(int(i) for i in idea_ids or ()))
    except (TypeError, ValueError):
        ids = []
    if not ids or len(ids) > MAX_IDEAS or min(ids) < 1:
        raise ValidationError(_("Name from 1 to %(n)d ideas by their numbers.", n=MAX_IDEAS),
                              field="ideas")
    return title, body, ids


def parse_idea_ids(text):
    """"12, #13 14" -> [12, 13, 14]; anything else is a ValidationError."""
    parts = (text or "").replace(",", " ").split()
    try:
        return [int(part.lstrip("#")) for part in parts]
    except ValueError:
        raise ValidationError(_("Name the ideas by their numbers, such as 12, 15."),
                              field="ideas") from None


def publish(actor, title, body, idea_ids):
    """Write a release note for these ideas, shipping those not shipped yet."""
    ensure_staff(actor)
    title, body, ids = check_note(title, body, idea_ids)
    with transaction():
        ideas = db.session.scalars(select(Idea).where(Idea.id.in_(ids)).order_by(Idea.id)
                                   .execution_options(populate_existing=True)).all()
        missing = sorted(set(ids) - {idea.id for idea in ideas})
        if missing:
            raise ValidationError(_("No idea #%(id)d.", id=missing[0]), field="ideas")
        if any(idea.status == "merged" for idea in ideas):
            raise Conflict(_("A merged idea ships with the idea it was merged into."),
                           code="idea_merged")
        note = ReleaseNote(title=title, body=body, body_html=render(body), author_id=actor.id)
        db.session.add(note)
        db.session.flush()
        for idea in ideas:
            if idea.status != "shipped":
                change = record_change(idea, actor, "shipped", body)
                signals.idea_status_changed.send(idea, change=change, actor=actor)
            db.session.add(ReleaseNoteIdea(note_id=note.id, idea_id=idea.id))
        credits = {idea.author_id: "proposer" for idea in ideas}
        for user_ids in links.cocreators_of(ids).values():
            for user_id in user_ids:
                credits.setdefault(user_id, "cocreator")
        db.session.add_all(ReleaseNoteCredit(note_id=note.id, user_id=user_id, kind=kind)
                           for user_id, kind in credits.items())
    return note


# ---- reading -----------------------------------------------------------------

class IdeaRef:
    __slots__ = ("id", "title")

    def __init__(self, idea_id, title):
        self.id, self.title = idea_id, title


class Credit:
    __slots__ = ("user", "kind")

    def __init__(self, user, kind):
        self.user, self.kind = user, kind


class NoteRow:
    """A release note as pages, feeds and the API show it: its ideas (IdeaRefs a visitor
    may see) and credits (Credits, proposers first, then by name)."""

    __slots__ = ("id", "title", "body_html", "published_at", "author", "ideas", "credits")


_NOTE_COLUMNS = (ReleaseNote.id, ReleaseNote.title, ReleaseNote.body_html,
                 ReleaseNote.published_at, *AUTHOR_COLUMNS)


def _rows(ids):
    """The notes with these ids as NoteRows, in the order given (three statements)."""
    if not ids:
        return []
    found = {}
    for note_id, title, body_html, published_at, *author in db.session.execute(
            select(*_NOTE_COLUMNS).join(User, User.id == ReleaseNote.author_id)
            .where(ReleaseNote.id.in_(ids))):
        note = found[note_id] = NoteRow()
        note.id, note.title, note.body_html = note_id, title, body_html
        note.published_at, note.author = moment(published_at), Author(*author)
        note.ideas, note.credits = [], []
    for note_id, idea_id, title in db.session.execute(
            visible_ideas(ReleaseNoteIdea.note_id, Idea.id, Thread.title)
            .join(ReleaseNoteIdea, ReleaseNoteIdea.idea_id == Idea.id)
            .where(ReleaseNoteIdea.note_id.in_(ids)).order_by(Idea.id)):
        found[note_id].ideas.append(IdeaRef(idea_id, title))
    for note_id, kind, *user in db.session.execute(
            select(ReleaseNoteCredit.note_id, ReleaseNoteCredit.kind, *AUTHOR_COLUMNS)
            .join(User, User.id == ReleaseNoteCredit.user_id)
            .where(ReleaseNoteCredit.note_id.in_(ids))
            .order_by(ReleaseNoteCredit.kind.desc(), User.username)):
        found[note_id].credits.append(Credit(Author(*user), kind))
    return [found[i] for i in ids if i in found]


_NEWEST = (ReleaseNote.published_at.desc(), ReleaseNote.id.desc())


def list_notes(page=1, per_page=20):
    """Every release note, newest first."""
    ids = list(db.session.scalars(select(ReleaseNote.id).order_by(*_NEWEST)
                                  .limit(per_page + 1).offset((page - 1) * per_page)))
    rows = _rows(ids)
    return Page(items=rows[:per_page], page=page, per_page=per_page,
                has_next=len(rows) > per_page)


def latest(limit):
    return _rows(list(db.session.scalars(select(ReleaseNote.id).order_by(*_NEWEST).limit(limit))))


def get_note(note_id):
    rows = _rows([note_id])
    if not rows:
        raise NotFound(_("No such release note."))
    return rows[0]


def crediting(user_id, limit=10):
    """The latest notes that credit this fan, newest first."""
    return _rows(list(db.session.scalars(
        select(ReleaseNote.id).join(ReleaseNoteCredit, ReleaseNoteCredit.note_id == ReleaseNote.id)
        .where(ReleaseNoteCredit.user_id == user_id).order_by(*_NEWEST).limit(limit))))


# Built once: every idea page asks, and most ideas have no note.
_ANNOUNCING = select(ReleaseNote.id).where(ReleaseNote.id.in_(
    select(ReleaseNoteIdea.note_id).where(
        ReleaseNoteIdea.idea_id.in_(bindparam("ids", expanding=True))))).order_by(*_NEWEST)


def announcing(idea_ids):
    """The notes that announce any of these ideas, newest first."""
    idea_ids = list(idea_ids)
    if not idea_ids:
        return []
    return _rows([row[0] for row in rows_among(_ANNOUNCING, idea_ids)])
