"""Conversations: direct and group, blocks, leaving, muting, unread counts, the poll,
reports; bad input writes nothing."""

import pytest
from helpers import make_board, make_user
from sqlalchemy import func, select, update

from community.accounts.models import User
from community.forum.models import ModerationAction
from community.ideas import service as ideas
from community.kernel.database import transaction, utcnow
from community.kernel.errors import Conflict, Forbidden, NotFound, ValidationError
from community.kernel.extensions import db
from community.messages import access, blocks, sending, service
from community.messages.models import Conversation, Message, Participant
from community.reports import service as reports
from community.reports.models import Report


def _messages():
    return db.session.scalar(select(func.count()).select_from(Message))


def test_one_direct_conversation_per_pair(ctx):
    li, mei = make_user("li"), make_user("mei")
    conversation, created = service.start(li, ["Mei"])
    assert created and conversation.kind == "direct" and conversation.member_count == 2
    again, created = service.start(mei, ["li"])
    assert again.id == conversation.id and not created
    assert db.session.scalar(select(func.count()).select_from(Conversation)) == 1


def test_groups_have_a_title_and_at_most_fifty(ctx):
    creator = make_user()
    people = [make_user() for _ in range(3)]
    group, _ = service.start(creator, [p.username for p in people[:2]], "Band fans")
    assert (group.kind, group.title, group.member_count) == ("group", "Band fans", 3)
    assert service.add_members(group.id, people[0], [people[2].username]) == 1  # any member
    with pytest.raises(ValidationError) as error:
        service.start(creator, [f"u{i}" for i in range(60)], "Too big")
    assert error.value.field == "participants"
    with pytest.raises(ValidationError) as error:
        service.start(creator, ["nobody-here"])
    assert error.value.code == "no_such_user"
    with pytest.raises(ValidationError):
        service.start(creator, [creator.username])


def test_a_group_stops_at_fifty(ctx, monkeypatch):
    monkeypatch.setattr(service, "MAX_MEMBERS", 3)
    creator, a, b, c = (make_user() for _ in range(4))
    group, _ = service.start(creator, [a.username, b.username], "Full soon")
    with pytest.raises(ValidationError) as error:
        service.add_members(group.id, creator, [c.username])
    assert error.value.code == "too_many"
    assert access.participant(group.id, c) is None


def test_messages_render_markdown_safely_and_count_unread(ctx):
    li, mei = make_user(), make_user()
    conversation, _ = service.start(li, [mei.username])
    message = sending.send(conversation.id, li, "**hi** <script>alert(1)</script>")
    assert "<strong>hi</strong>" in message.body_html and "<script>" not in message.body_html
    assert service.unread_count(mei.id) == 1 and service.unread_count(li.id) == 0
    row, found = sending.poll(conversation.id, mei, 0)
    assert [m.id for m in found] == [message.id]
    assert sending.mark_read(conversation.id, mei.id, row.last_read_message_id, message.id)
    assert service.unread_count(mei.id) == 0
    assert sending.poll(conversation.id, mei, message.id)[1] == []
    # Nothing new to mark: no write at all.
    assert not sending.mark_read(conversation.id, mei.id, message.id, message.id)


def test_muting_takes_a_conversation_off_the_envelope(ctx):
    li, mei = make_user(), make_user()
    conversation, _ = service.start(li, [mei.username])
    service.set_muted(conversation.id, mei, True)
    sending.send(conversation.id, li, "psst")
    assert service.unread_count(mei.id) == 0
    service.set_muted(conversation.id, mei, False)
    assert service.unread_count(mei.id) == 1


def test_a_blocked_fan_cannot_message_nor_add_the_blocker(ctx):
    li, mei, wang = make_user(), make_user(), make_user()
    conversation, _ = service.start(li, [mei.username])
    blocks.block(mei, li)
    with pytest.raises(Forbidden) as error:
        sending.send(conversation.id, li, "hello?")
    assert error.value.code == "blocked"
    with pytest.raises(Forbidden):
        service.start(li, [mei.username])
    group, _ = service.start(li, [wang.username], "Group")
    with pytest.raises(Forbidden):
        service.add_members(group.id, li, [mei.username])
    with pytest.raises(Forbidden):
        service.start(li, [wang.username, mei.username], "Another")
    assert _messages() == 0 and access.participant(group.id, mei) is None
    blocks.unblock(mei, li)
    assert sending.send(conversation.id, li, "hello again").id


def test_banned_fans_cannot_send(ctx):
    li, mei = make_user(), make_user()
    conversation, _ = service.start(li, [mei.username])
    with transaction():
        db.session.execute(update(User).where(User.id == li.id).values(banned_at=utcnow()))
    banned = db.session.get(User, li.id, populate_existing=True)
    with pytest.raises(Forbidden) as error:
        sending.send(conversation.id, banned, "hi")
    assert error.value.code == "banned"
    assert _messages() == 0


def test_only_participants_read_or_send(ctx):
    li, mei, outsider = make_user(), make_user(), make_user()
    staff = make_user(role="staff")
    conversation, _ = service.start(li, [mei.username])
    message = sending.send(conversation.id, li, "just us")
    for who in (outsider, staff, None):
        with pytest.raises(NotFound):
            access.get_conversation(conversation.id, who)
        with pytest.raises(NotFound):
            access.get_message(message.id, who)
    with pytest.raises(NotFound):
        sending.send(conversation.id, outsider, "let me in")
    with pytest.raises(NotFound):
        sending.poll(conversation.id, outsider, 0)
    assert _messages() == 1


def test_leaving_ends_access_and_newcomers_read_from_their_arrival(ctx):
    li, mei, wang = make_user(), make_user(), make_user()
    group, _ = service.start(li, [mei.username], "Plans")
    early = sending.send(group.id, li, "before wang")
    service.add_members(group.id, mei, [wang.username])
    late = sending.send(group.id, li, "after wang")
    assert [m.id for m in sending.poll(group.id, wang, 0)[1]] == [late.id]
    with pytest.raises(NotFound):
        access.get_message(early.id, wang)
    service.leave(group.id, mei)
    with pytest.raises(NotFound):
        sending.poll(group.id, mei, 0)
    assert db.session.get(Conversation, group.id).member_count == 2


def test_a_message_brings_back_someone_who_left_a_direct_conversation(ctx):
    li, mei = make_user(), make_user()
    conversation, _ = service.start(li, [mei.username])
    old = sending.send(conversation.id, li, "old news")
    service.leave(conversation.id, mei)
    new = sending.send(conversation.id, li, "are you there?")
    assert [m.id for m in sending.poll(conversation.id, mei, 0)[1]] == [new.id]
    assert old.id < new.id


def test_sharing_what_the_sharer_cannot_see_writes_nothing(ctx):
    li, mei = make_user(), make_user()
    conversation, _ = service.start(li, [mei.username])
    idea = ideas.propose(make_board(), li, "A visible idea", "b")
    message = sending.send(conversation.id, li, "", ("idea", idea.id))
    assert message.card == ("idea", idea.id)
    for share in (("idea", 999_999), ("poem", idea.id), ("idea", "1")):
        with pytest.raises(ValidationError):
            sending.send(conversation.id, li, "look", share)
    with pytest.raises(ValidationError):
        sending.send(conversation.id, li, "   ")
    assert _messages() == 1


def test_reports_show_staff_the_message_and_its_context(ctx):
    li, mei = make_user(), make_user()
    staff = make_user(role="staff")
    conversation, _ = service.start(li, [mei.username])
    sent = [sending.send(conversation.id, li if i % 2 else mei, f"message {i}") for i in range(12)]
    bad = sent[6]
    with pytest.raises(ValidationError):
        reports.report("message", bad.id, db.session.get(User, bad.author_id), "abuse")
    reporter = mei if bad.author_id == li.id else li
    reports.report("message", bad.id, reporter, "other", "rude")
    with pytest.raises(Conflict):  # once per reporter while open
        reports.report("message", bad.id, reporter, "other", "rude")
    with pytest.raises(NotFound):
        reports.report("message", bad.id, make_user(), "abuse")
    with ctx.test_request_context():
        _row, (report,), context = reports.open_target("message", bad.id, staff)
    assert [m.id for m in context["around"]] == [m.id for m in sent[1:12]]
    with pytest.raises(Forbidden):
        reports.open_target("message", bad.id, li)
    reports.resolve("message", bad.id, staff, "removed", "abuse")
    assert db.session.get(Message, bad.id).hidden
    assert reports.queue(staff, 1)[0].items == []
    log = db.session.scalars(select(ModerationAction)).one()
    assert (log.action, log.target_type, log.target_id) == ("hide", "message", bad.id)
    assert db.session.scalar(select(func.count()).select_from(Report)) == 1


def test_the_envelope_counts_conversations_with_something_unread(ctx):
    me = make_user()
    others = [make_user() for _ in range(3)]
    for other in others:
        conversation, _ = service.start(other, [me.username])
        sending.send(conversation.id, other, "one")
        sending.send(conversation.id, other, "two")
    assert service.unread_count(me.id) == 3
    assert db.session.scalar(select(func.count()).select_from(Participant)) == 6
