"""Staff sanctions in proportion: warnings, timed suspensions that lift themselves, bans;
each on the member's record and in the moderation log."""

from datetime import timedelta

import pytest
from helpers import make_thread, make_user
from sqlalchemy import select, update

from community.accounts.models import User
from community.forum import service as forum
from community.forum.models import ModerationAction
from community.kernel.database import transaction, utcnow
from community.kernel.errors import Conflict, Forbidden, ValidationError
from community.kernel.extensions import db
from community.messages import blocks, sending
from community.messages import service as conversations
from community.moderation import service
from community.moderation.models import Sanction


def _log(user):
    return [(a.action, a.reason) for a in db.session.scalars(select(ModerationAction).where(
        ModerationAction.target_type == "user", ModerationAction.target_id == user.id)
        .order_by(ModerationAction.id))]


def _reload(user):
    return db.session.get(User, user.id, populate_existing=True)


def test_a_warning_is_a_private_message_and_on_record(ctx):
    fan, staff = make_user(), make_user(role="staff")
    conversation_id = service.warn(fan, staff, "Keep it civil, please.")
    _conversation, _row, messages, _older = sending.latest(conversation_id, fan)
    assert [m.author_id for m in messages] == [staff.id]
    assert "Keep it civil, please." in messages[0].body
    assert conversations.unread_count(fan.id) == 1  # in the member's own inbox
    [sanction] = service.record_of(fan)
    assert (sanction.kind, sanction.actor_id, sanction.conversation_id) == (
        "warning", staff.id, conversation_id)
    assert _log(fan) == [("warn", "Keep it civil, please.")]
    assert not _reload(fan).is_suspended  # a warning restricts nothing


def test_a_warning_to_a_member_who_blocks_the_sender_is_still_recorded(ctx):
    fan, staff = make_user(), make_user(role="staff")
    blocks.block(fan, staff)
    assert service.warn(fan, staff, "Stop the spam.") is None
    assert [s.kind for s in service.record_of(fan)] == ["warning"]
    with pytest.raises(ValidationError):
        service.warn(fan, staff, "  ")


def test_a_suspension_stops_posting_and_lifts_itself(ctx):
    fan, staff = make_user(), make_user(role="staff")
    thread = make_thread()
    ends = service.suspend(fan, staff, "Flame war", "day")
    assert timedelta(hours=23) < ends - utcnow() <= timedelta(days=1)
    fan = _reload(fan)
    assert fan.is_suspended and fan.suspension_reason == "Flame war"
    with pytest.raises(Forbidden) as error:
        forum.reply(thread, fan, "one more thing")
    assert error.value.code == "suspended"
    assert service.standing(fan)["suspended"] is True
    assert _log(fan) == [("suspend", "Flame war")]
    with transaction():  # the day passes; nothing runs
        db.session.execute(update(User).where(User.id == fan.id)
                           .values(suspended_until=utcnow() - timedelta(seconds=1)))
    fan = _reload(fan)
    assert not fan.is_suspended
    assert forum.reply(thread, fan, "calmer now").position == 1
    assert service.tidy_ended() == 1  # the job only tidies the columns
    assert _reload(fan).suspended_until is None and service.tidy_ended() == 0


def test_suspension_lengths_and_a_custom_end(ctx):
    fan, staff = make_user(), make_user(role="staff")
    now = utcnow()
    assert service.suspension_end("week", now=now) == now + timedelta(weeks=1)
    until = now + timedelta(days=3)
    assert service.suspend(fan, staff, "cooling off", "custom", until) == until
    for length, when, field in (("custom", now - timedelta(minutes=1), "until"),
                                ("custom", None, "until"),
                                ("custom", now + timedelta(days=4000), "until"),
                                ("month", None, "length")):
        with pytest.raises(ValidationError) as error:
            service.suspend(fan, staff, "x", length, when)
        assert error.value.field == field
    with pytest.raises(ValidationError) as error:
        service.suspend(fan, staff, "", "day")
    assert error.value.field == "reason"


def test_a_new_suspension_replaces_the_running_one_and_lift_ends_it(ctx):
    fan, staff = make_user(), make_user(role="staff")
    service.suspend(fan, staff, "first", "week")
    service.suspend(fan, staff, "second", "day")
    first, second = sorted(service.record_of(fan), key=lambda s: s.id)
    assert first.lifted_at is not None and second.lifted_at is None
    service.lift(fan, staff, "appeal accepted")
    assert not _reload(fan).is_suspended
    assert db.session.get(Sanction, second.id, populate_existing=True).lifted_by_id == staff.id
    with pytest.raises(Conflict):
        service.lift(fan, staff)
    assert [a for a, _ in _log(fan)] == ["suspend", "suspend", "lift"]


def test_who_may_sanction_whom(ctx):
    fan, other, staff = make_user(), make_user(), make_user(role="staff")
    colleague, admin = make_user(role="staff"), make_user(role="admin")
    with pytest.raises(Forbidden):
        service.suspend(other, fan, "fans cannot", "day")
    with pytest.raises(Forbidden):
        service.suspend(staff, staff, "nor themselves", "day")
    with pytest.raises(Forbidden):
        service.warn(colleague, staff, "staff only by an admin")
    service.suspend(colleague, admin, "admins may", "day")
    assert _reload(colleague).is_suspended


def test_bans_are_on_record_and_a_banned_account_is_not_suspended_on_top(ctx):
    fan, staff = make_user(), make_user(role="staff")
    service.ban_user(fan, staff, "spam ring")
    service.ban_user(fan, staff, "again")  # nothing new: already banned
    with pytest.raises(Conflict):
        service.suspend(fan, staff, "too late", "day")
    service.unban_user(fan, staff, "appeal")
    [ban] = service.record_of(fan)
    assert (ban.kind, ban.reason, ban.lifted_by_id) == ("ban", "spam ring", staff.id)
    assert [a for a, _ in _log(fan)] == ["ban", "unban"]
