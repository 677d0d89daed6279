"""Sending messages (Markdown or a share card), reading them, and the poll.

The poll is built to be cheap when nothing is new, which is nearly always: one query reads
the caller's participant row, whose last_message_id says whether anything came after the
client's `after` id; only then are messages read (a second query, on (conversation_id,
id)), and only when they advance the read mark is there a write, one conditional UPDATE.
"""

from flask_babel import gettext as _
from sqlalchemy import and_, case, or_, select, update

from .. import cards
from ..forum import service as forum
from ..kernel.database import transaction, utcnow
from ..kernel.errors import ValidationError
from ..kernel.extensions import db
from ..web.markdown import render
from . import access, blocks
from .models import Conversation, Message, Participant
from .service import _join, ensure_can_message, other_in_direct

MAX_BODY = 10_000
PAGE = 50
POLL_LIMIT = 100


def _check_body(body, has_card):
    body = (body or "").strip()
    if not body and not has_card:
        raise ValidationError(_("Write something first."), field="body")
    if len(body) > MAX_BODY:
        raise ValidationError(_("Keep it under %(n)d characters.", n=MAX_BODY), field="body")
    return body


def send(conversation_id, author, body="", share=None):
    """Post a message (and/or a card, share=(kind, id)) to a conversation the author is in.

    A direct conversation refuses the author when the other fan has blocked them; if
    that fan had left, the message brings them back (they read from it on).
    """
    ensure_can_message(author)
    body = _check_body(body, share is not None)
    if body:
        forum.guard_post(author, body)
    if share is not None:
        cards.check_shareable(share[0], share[1], author)
    author_id = author.id
    with transaction():
        conversation, _row = access.get_conversation(conversation_id, author)
        if conversation.kind == "direct":
            other = other_in_direct(conversation, author_id)
            blocks.ensure_not_blocked(other, author_id)
            _join(conversation.id, other, conversation.last_message_id)
        message = Message(conversation_id=conversation.id, author_id=author_id, body=body,
                          body_html=render(body) if body else "",
                          card_kind=share[0] if share else None,
                          card_id=share[1] if share else None, created_at=utcnow())
        db.session.add(message)
        db.session.flush()
        db.session.execute(update(Conversation).where(Conversation.id == conversation.id)
                           .values(last_message_id=message.id, last_message_at=message.created_at))
        # Everyone's "latest" moves in one statement; the author has read their own.
        db.session.execute(update(Participant).where(
            Participant.conversation_id == conversation.id).values(
            last_message_id=message.id,
            last_read_message_id=case((Participant.user_id == author_id, message.id),
                                      else_=Participant.last_read_message_id)))
    return message


def latest(conversation_id, viewer, before=None, limit=PAGE):
    """The page of a conversation: its latest messages (or those before an id), oldest
    first. Returns (conversation, row, messages, has_older); the caller marks them read
    (mark_read) once it has rendered them."""
    conversation, row = access.get_conversation(conversation_id, viewer)
    stmt = access.visible_messages(conversation.id, row)
    if before is not None:
        stmt = stmt.where(Message.id < before)
    rows = db.session.scalars(stmt.order_by(Message.id.desc()).limit(limit + 1)).all()
    return conversation, row, list(reversed(rows[:limit])), len(rows) > limit


def poll(conversation_id, viewer, after):
    """(row, messages after `after`, oldest first); [] when nothing is new, read from the
    caller's participant row alone. No write: the caller marks read after rendering."""
    _conversation, row = access.get_conversation(conversation_id, viewer)
    if row.last_message_id <= after:
        return row, []
    return row, db.session.scalars(
        access.visible_messages(conversation_id, row).where(Message.id > after)
        .order_by(Message.id).limit(POLL_LIMIT)).all()


def mark_read(conversation_id, user_id, read_up_to, message_id):
    """Advance a read mark to message_id; no write at all when it would not move.

    Called after the messages are rendered: a write transaction starts afresh and would
    expire the objects a page is still reading.
    """
    if message_id is None or message_id <= read_up_to:
        return False
    with transaction():
        db.session.execute(update(Participant).where(
            Participant.conversation_id == conversation_id, Participant.user_id == user_id,
            Participant.last_read_message_id < message_id).values(last_read_message_id=message_id))
    return True


def sharer_for(conversation_id, viewer, targets):
    """The order source "conversation": who last shared one of `targets` there."""
    _conversation, row = access.get_conversation(conversation_id, viewer)
    found = db.session.execute(
        select(Message.author_id).where(
            Message.conversation_id == conversation_id, Message.id > row.since_message_id,
            Message.hidden.is_(False), _any(targets))
        .order_by((Message.author_id == row.user_id).asc(), Message.id.desc()).limit(1)).first()
    if found is None:
        raise ValidationError(_("Nothing like that was shared in this conversation."),
                              field="source", code="no_such_card")
    return found.author_id if found.author_id != row.user_id else None


def _any(targets):
    return or_(*[and_(Message.card_kind == kind, Message.card_id == target_id)
                 for kind, target_id in targets])
