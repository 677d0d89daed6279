"""Circle moderators' tools: remove, mute for a time, ban from the circle; all logged."""

from datetime import timedelta

import pytest
from circle_factories import add_member, make_circle, make_fan
from helpers import PASSWORD
from sqlalchemy import select, update

from community.circles import access, invites, sanctions, service, threads
from community.circles.models import CircleMember
from community.forum import service as forum
from community.forum.models import ModerationAction
from community.kernel.database import transaction, utcnow
from community.kernel.errors import Conflict, Forbidden, ValidationError
from community.kernel.extensions import db


def _log(action):
    return db.session.scalars(select(ModerationAction).where(
        ModerationAction.action == action)).all()


def _circle_with_roles():
    owner, mod, fan = make_fan(), make_fan(), make_fan()
    circle = make_circle(owner, members=[mod, fan])
    service.set_moderator(circle, owner, mod.id)
    return circle, owner, mod, fan


def test_a_muted_member_reads_but_posts_nothing_until_the_mute_ends(ctx):
    circle, _owner, mod, fan = _circle_with_roles()
    thread = threads.create_thread(circle, mod, "Rules", "Be kind.")
    until = sanctions.mute(circle, mod, fan.id, sanctions.mute_end("day"), "flooding")
    assert until > utcnow() + timedelta(hours=23)
    for attempt in (lambda: threads.create_thread(circle, fan, "Again", "and again"),
                    lambda: forum.reply(thread, fan, "still here")):
        with pytest.raises(Forbidden) as error:
            attempt()
        assert error.value.code == "muted"
    assert threads.get_thread(circle, thread.id, access.membership(circle.id, fan))  # reads
    logged = _log("circle_mute")[0]
    assert (logged.target_id, logged.reason) == (fan.id, "flooding")
    assert logged.detail.startswith(f"in {circle.slug} until ")
    with transaction():  # the day passes
        db.session.execute(update(CircleMember).where(CircleMember.user_id == fan.id)
                           .values(muted_until=utcnow() - timedelta(seconds=1)))
    assert forum.reply(thread, fan, "back, and calmer").position == 1
    with pytest.raises(Conflict):
        sanctions.unmute(circle, mod, fan.id)


def test_unmute_ends_a_mute_early(ctx):
    circle, _owner, mod, fan = _circle_with_roles()
    sanctions.mute(circle, mod, fan.id, sanctions.mute_end("week"))
    sanctions.unmute(circle, mod, fan.id, "apologised")
    assert threads.create_thread(circle, fan, "Sorry", "I was loud.")
    assert [a.reason for a in _log("circle_unmute")] == ["apologised"]
    with pytest.raises(ValidationError):
        sanctions.mute_end("year")


def test_a_removed_member_may_rejoin_an_open_circle_a_banned_one_may_not(ctx):
    circle, _owner, mod, fan = _circle_with_roles()
    other = make_fan()
    add_member(circle, other)
    sanctions.remove(circle, mod, other.id, "off-topic")
    assert access.membership(circle.id, other) is None
    assert service.join(circle, other) == "joined"
    sanctions.ban(circle, mod, fan.id, "harassment")
    assert access.membership(circle.id, fan) is None
    with pytest.raises(Forbidden) as error:
        service.join(circle, fan)
    assert error.value.code == "banned_from_circle"
    invite = invites.create_invite(circle, mod, 24, 5)
    with pytest.raises(Forbidden):
        service.join(circle, fan, invite.token)  # not by invitation either
    with pytest.raises(Conflict):
        sanctions.ban(circle, mod, fan.id)
    sanctions.unban(circle, mod, fan.id, "second chance")
    assert service.join(circle, fan) == "joined"
    assert [a.action for a in db.session.scalars(select(ModerationAction).where(
        ModerationAction.target_id.in_([fan.id, other.id])).order_by(ModerationAction.id))] == [
        "circle_remove", "circle_ban", "circle_unban"]


def test_a_ban_keeps_an_approval_request_out_too(ctx):
    owner = make_fan()
    circle = make_circle(owner, visibility="approval")
    fan = make_fan()
    assert service.join(circle, fan) == "requested"
    sanctions.ban(circle, owner, fan.id, "spam requests")
    with pytest.raises(Forbidden):
        service.join(circle, fan)


def test_who_may_act_on_whom(ctx):
    circle, owner, mod, fan = _circle_with_roles()
    with pytest.raises(Forbidden):
        sanctions.ban(circle, fan, mod.id)  # a member moderates nobody
    with pytest.raises(Forbidden):
        sanctions.mute(circle, mod, owner.id, sanctions.mute_end("hour"))  # nobody the owner
    other_mod = make_fan()
    add_member(circle, other_mod)
    service.set_moderator(circle, owner, other_mod.id)
    with pytest.raises(Forbidden):
        sanctions.remove(circle, mod, other_mod.id)  # only the owner acts on a moderator
    with pytest.raises(Forbidden):
        sanctions.ban(circle, mod, mod.id)
    sanctions.ban(circle, owner, other_mod.id, "gone rogue")
    assert access.membership(circle.id, other_mod) is None


def test_moderators_use_the_members_page(app, client):
    with app.app_context():
        circle, _owner, mod, fan = _circle_with_roles()
        slug, fan_id, mod_name, fan_name = circle.slug, fan.id, mod.username, fan.username
    client.post("/login", data={"login": mod_name, "password": PASSWORD})
    page = client.get(f"/circles/{slug}/members").get_data(as_text=True)
    assert f"/circles/{slug}/members/{fan_id}/ban" in page
    assert client.post(f"/circles/{slug}/members/{fan_id}/mute",
                       data={"length": "hour", "reason": "cool down"}).status_code == 302
    assert "muted until" in client.get(f"/circles/{slug}/members").get_data(as_text=True)
    assert client.post(f"/circles/{slug}/members/{fan_id}/ban",
                       data={"reason": "enough"}).status_code == 302
    page = client.get(f"/circles/{slug}/members").get_data(as_text=True)
    assert 'data-testid="circle-bans"' in page and "enough" in page
    client.post("/logout")
    client.post("/login", data={"login": fan_name, "password": PASSWORD})
    refused = client.post(f"/circles/{slug}/join", follow_redirects=True)
    assert "banned you from this circle" in refused.get_data(as_text=True)
    client.post("/logout")
    client.post("/login", data={"login": mod_name, "password": PASSWORD})
    assert client.post(f"/circles/{slug}/members/{fan_id}/unban").status_code == 302
    with app.app_context():
        assert [a.action for a in _log("circle_unban")] == ["circle_unban"]
