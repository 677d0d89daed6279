"""Who may see a conversation: its participants, and nobody else.

Every page, poll and API route finds a conversation through `get_conversation`, which
answers NotFound (a 404) to anyone who is not a participant, staff included, so a
conversation's existence never leaks. Staff see a message only once a participant reports
it (reports.py), and then only that message with a few around it.
"""

from flask_babel import gettext as _
from sqlalchemy import select

from ..kernel.errors import NotFound
from ..kernel.extensions import db
from .models import Message, Participant


def participant(conversation_id, user):
    """The user's Participant row (with its conversation), or None."""
    if user is None or not user.is_authenticated or not isinstance(conversation_id, int):
        return None
    return db.session.get(Participant, (conversation_id, user.id), populate_existing=True)


def get_conversation(conversation_id, viewer):
    """(conversation, participant row) for a participant; NotFound for anyone else."""
    found = participant(conversation_id, viewer)
    if found is None:
        raise NotFound(_("No such conversation."))
    return found.conversation, found


def get_message(message_id, viewer):
    """A message the viewer may read (in their conversation, since they joined)."""
    message = db.session.get(Message, message_id)
    if message is None:
        raise NotFound(_("No such message."))
    found = participant(message.conversation_id, viewer)
    if found is None or message.id <= found.since_message_id:
        raise NotFound(_("No such message."))
    return message, found


def visible_messages(conversation_id, row):
    """SQL: the messages a participant row may read."""
    return select(Message).where(Message.conversation_id == conversation_id,
                                 Message.id > row.since_message_id)
