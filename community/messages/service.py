"""Conversation use cases: starting direct and group conversations, members, leaving,
muting, and the lists of one's conversations."""

from flask_babel import gettext as _
from sqlalchemy import bindparam, delete, func, select, text, update
from sqlalchemy.exc import IntegrityError

from ..accounts import service as accounts
from ..accounts.models import User
from ..forum import service as forum
from ..kernel.database import insert_ignore, transaction, utcnow
from ..kernel.errors import Forbidden, NotFound, ValidationError
from ..kernel.extensions import db
from ..web.pagination import Page
from . import access, blocks
from .models import _UNREAD, Conversation, Participant

MAX_MEMBERS = 50
MAX_TITLE = 100
ENVELOPE_CAP = 99


def direct_key(a_id, b_id):
    low, high = sorted((a_id, b_id))
    return f"{low}:{high}"


def other_in_direct(conversation, user_id):
    low, high = (int(part) for part in conversation.direct_key.split(":"))
    return high if low == user_id else low


def _people(usernames, actor_id):
    """The accounts named (case-insensitively), none of them the actor; ValidationError
    naming any that do not exist."""
    keys = accounts.keys_of(usernames)
    if not keys:
        raise ValidationError(_("Name at least one person."), field="participants")
    found = accounts.users_named(keys)
    missing = sorted(set(keys) - {u.username_key for u in found})
    if missing:
        raise ValidationError(_("No such user: %(names)s.", names=", ".join(missing)),
                              field="participants", code="no_such_user")
    people = [u for u in found if u.id != actor_id]
    if not people:
        raise ValidationError(_("You cannot start a conversation with yourself."),
                              field="participants", code="self_conversation")
    return people


def _join(conversation_id, user_id, since):
    """Inside the caller's transaction; False when already in."""
    if not insert_ignore(Participant, conversation_id=conversation_id, user_id=user_id,
                         since_message_id=since, last_read_message_id=since,
                         last_message_id=since, joined_at=utcnow()):
        return False
    db.session.execute(update(Conversation).where(Conversation.id == conversation_id)
                       .values(member_count=Conversation.member_count + 1))
    return True


def start(actor, usernames, title=None):
    """A direct conversation (one person, no title: the existing one if there is one) or
    a group. Returns (conversation, created)."""
    forum.ensure_can_post(actor)
    title = (title or "").strip() or None
    if title and len(title) > MAX_TITLE:
        raise ValidationError(_("Keep the title to %(n)d characters or fewer.", n=MAX_TITLE),
                              field="title")
    actor_id = actor.id
    people = _people(usernames, actor_id)
    if len(people) + 1 > MAX_MEMBERS:
        raise ValidationError(_("A group has at most %(n)d people.", n=MAX_MEMBERS),
                              field="participants", code="too_many")
    blocks.ensure_none_blocked([u.id for u in people], actor_id)
    if len(people) == 1 and not title:
        return _start_direct(actor_id, people[0].id)
    with transaction():
        conversation = Conversation(kind="group", title=title or _group_title(people),
                                    created_by_id=actor_id)
        db.session.add(conversation)
        db.session.flush()
        for user_id in [actor_id] + [u.id for u in people]:
            _join(conversation.id, user_id, 0)
    return conversation, True


def _group_title(people):
    return ", ".join(u.username for u in people)[:MAX_TITLE]


def _start_direct(actor_id, other_id):
    key = direct_key(actor_id, other_id)
    for _attempt in range(2):
        try:
            with transaction():
                conversation = db.session.scalar(
                    select(Conversation).where(Conversation.direct_key == key))
                created = conversation is None
                if created:
                    conversation = Conversation(kind="direct", direct_key=key,
                                                created_by_id=actor_id)
                    db.session.add(conversation)
                    db.session.flush()
                    _join(conversation.id, other_id, 0)
                # Someone who left comes back to new messages only.
                _join(conversation.id, actor_id, conversation.last_message_id)
            return conversation, created
        except IntegrityError:
            continue  # the pair's other half created it at the same moment
    raise RuntimeError("direct conversation could not be created")


def add_members(conversation_id, actor, usernames):
    """Any member of a group adds people (not someone who blocked them); returns how many
    joined. The new ones read from now on, not the history."""
    forum.ensure_can_post(actor)
    actor_id = actor.id
    people = _people(usernames, actor_id)
    blocks.ensure_none_blocked([u.id for u in people], actor_id)
    with transaction():
        conversation, _row = access.get_conversation(conversation_id, actor)
        if conversation.kind != "group":
            raise ValidationError(_("Start a group to talk with more people."),
                                  field="participants", code="not_a_group")
        added = sum(_join(conversation.id, u.id, conversation.last_message_id) for u in people)
        db.session.refresh(conversation)
        if conversation.member_count > MAX_MEMBERS:
            raise ValidationError(_("A group has at most %(n)d people.", n=MAX_MEMBERS),
                                  field="participants", code="too_many")
    return added


def leave(conversation_id, user):
    with transaction():
        conversation, _row = access.get_conversation(conversation_id, user)
        db.session.execute(delete(Participant).where(
            Participant.conversation_id == conversation.id, Participant.user_id == user.id))
        db.session.execute(update(Conversation).where(Conversation.id == conversation.id)
                           .values(member_count=Conversation.member_count - 1))


def set_muted(conversation_id, user, muted):
    """A muted conversation still collects messages but leaves the envelope alone."""
    with transaction():
        _conversation, row = access.get_conversation(conversation_id, user)
        row.muted = bool(muted)


# ---- reading lists ------------------------------------------------------------

def conversations_of(user, page=1, per_page=20):
    """The user's conversations, latest message first, each with the other names."""
    rows = db.session.scalars(
        select(Participant).where(Participant.user_id == user.id)
        .order_by(Participant.last_message_id.desc(), Participant.conversation_id.desc())
        .limit(per_page + 1).offset((page - 1) * per_page)).all()
    return Page(items=rows[:per_page], page=page, per_page=per_page, has_next=len(rows) > per_page)


def names_in(conversation_ids, user_id, limit=4):
    """{conversation_id: [usernames other than the user]} in one query."""
    if not conversation_ids:
        return {}
    names = {}
    for conversation_id, username in db.session.execute(
            select(Participant.conversation_id, User.username)
            .join(User, User.id == Participant.user_id)
            .where(Participant.conversation_id.in_(conversation_ids), Participant.user_id != user_id)
            .order_by(Participant.joined_at)):
        names.setdefault(conversation_id, [])
        if len(names[conversation_id]) < limit:
            names[conversation_id].append(username)
    return names


def members_of(conversation_id):
    return db.session.scalars(select(Participant).where(
        Participant.conversation_id == conversation_id).order_by(Participant.joined_at)).all()


# Conversations of :user_id with something unread, up to ENVELOPE_CAP + 1, on the partial
# index of unread rows (community/viewer/header.py asks it with the header's other figures).
UNREAD_COUNT = select(func.count()).select_from(
    select(Participant.conversation_id).where(Participant.user_id == bindparam("user_id"),
                                              text(_UNREAD))
    .limit(ENVELOPE_CAP + 1).subquery()).scalar_subquery()


def unread_count(user_id):
    """Conversations with something unread, up to ENVELOPE_CAP + 1."""
    return db.session.scalar(select(UNREAD_COUNT), {"user_id": user_id})


def envelope_label(count):
    return f"{ENVELOPE_CAP}+" if count > ENVELOPE_CAP else str(count)


def get_user(username):
    try:
        return accounts.get_by_username(username)
    except NotFound:
        raise NotFound(_("No such user.")) from None


def ensure_can_message(user):
    if user is None or not user.is_authenticated:
        raise Forbidden(_("Sign in to send messages."), code="sign_in_required")
    forum.ensure_can_post(user)
