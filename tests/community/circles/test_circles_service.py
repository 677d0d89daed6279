"""Circles: starting one, joining by visibility, requests, invitations, roles, leaving."""

from datetime import timedelta

import pytest
from circle_factories import add_member, level_up, make_circle, make_fan
from helpers import make_user
from sqlalchemy import func, select, update

from community.circles import access, invites, sanctions, service
from community.circles.models import Circle, CircleMember, Invite, JoinRequest
from community.kernel.database import transaction, utcnow
from community.kernel.errors import Conflict, Forbidden, NotFound, ValidationError
from community.kernel.extensions import db


def _members(circle):
    return db.session.scalar(select(func.count()).select_from(CircleMember)
                             .where(CircleMember.circle_id == circle.id))


def test_starting_a_circle_needs_the_level(ctx):
    newcomer = make_user()
    with pytest.raises(Forbidden) as error:
        service.create_circle(newcomer, "Night runners", "night-runners")
    assert error.value.code == "level_too_low"
    circle = service.create_circle(level_up(newcomer), "Night runners", "night-runners",
                                   kind="city", city="杭州", visibility="approval")
    assert (circle.kind, circle.city, circle.visibility, circle.member_count) == (
        "city", "杭州", "approval", 1)
    assert access.membership(circle.id, newcomer).role == "owner"


def test_the_level_is_configurable_and_staff_need_none(ctx):
    ctx.config["CIRCLE_MIN_LEVEL"] = 5
    with pytest.raises(Forbidden):
        service.create_circle(make_fan(), "Too early", "too-early")
    assert service.create_circle(make_user(role="staff"), "Staff circle", "staff-circle")


@pytest.mark.parametrize("fields, field", [
    (("x", "ok-slug", "", "interest", None, "open"), "name"),
    (("Fine", "Bad Slug", "", "interest", None, "open"), "slug"),
    (("Fine", "new", "", "interest", None, "open"), "slug"),
    (("Fine", "ok-slug", "", "city", "", "open"), "city"),
    (("Fine", "ok-slug", "", "interest", None, "secret"), "visibility"),
])
def test_bad_fields_name_the_field(ctx, fields, field):
    with pytest.raises(ValidationError) as error:
        service.create_circle(make_fan(), *fields)
    assert error.value.field == field


def test_a_slug_is_taken_once(ctx):
    make_circle(slug="tea")
    with pytest.raises(ValidationError) as error:
        make_circle(slug="tea")
    assert error.value.field == "slug"


def test_joining_follows_the_visibility(ctx):
    fan = make_fan()
    open_circle = make_circle()
    assert service.join(open_circle, fan) == "joined"
    assert service.join(open_circle, fan) == "member"
    assert db.session.get(Circle, open_circle.id).member_count == 2 == _members(open_circle)

    approval = make_circle(visibility="approval")
    assert service.join(approval, fan) == "requested"
    assert access.membership(approval.id, fan) is None
    owner = db.session.get(CircleMember, (approval.id, approval.owner_id)).user
    service.decide_request(approval, owner, fan.id, approve=True)
    assert access.membership(approval.id, fan).role == "member"
    assert db.session.scalar(select(func.count()).select_from(JoinRequest)) == 0

    private = make_circle(visibility="private")
    with pytest.raises(NotFound):
        service.join(private, fan)
    assert _members(private) == 1


def test_fans_cannot_approve_requests(ctx):
    approval = make_circle(visibility="approval")
    asker, member = make_fan(), make_fan()
    add_member(approval, member)
    service.join(approval, asker)
    with pytest.raises(Forbidden):
        service.decide_request(approval, member, asker.id, approve=True)
    assert access.membership(approval.id, asker) is None


def test_an_invitation_admits_up_to_its_limit(ctx):
    private = make_circle(visibility="private")
    owner = db.session.get(CircleMember, (private.id, private.owner_id)).user
    invite = invites.create_invite(private, owner, expires_in_hours=24, max_uses=2)
    first, second, third = make_fan(), make_fan(), make_fan()
    assert service.join(private, first, invite.token) == "joined"
    assert service.join(private, first, invite.token) == "member"  # no use spent
    assert service.join(private, second, invite.token) == "joined"
    with pytest.raises(Conflict) as error:
        service.join(private, third, invite.token)
    assert error.value.code == "invite_used_up"
    assert access.membership(private.id, third) is None
    assert db.session.get(Invite, invite.id).uses == 2
    assert db.session.get(Circle, private.id).member_count == 3


def test_an_expired_or_revoked_invitation_writes_nothing(ctx):
    private = make_circle(visibility="private")
    owner = db.session.get(CircleMember, (private.id, private.owner_id)).user
    expired = invites.create_invite(private, owner, 1, 5)
    with transaction():
        db.session.execute(update(Invite).where(Invite.id == expired.id)
                           .values(expires_at=utcnow() - timedelta(minutes=1)))
    revoked = invites.create_invite(private, owner, 1, 5)
    invites.revoke_invite(private, owner, revoked.id)
    fan = make_fan()
    for invite, code in ((expired, "invite_expired"), (revoked, "invite_revoked")):
        with pytest.raises(Conflict) as error:
            service.join(private, fan, invite.token)
        assert error.value.code == code
        assert db.session.get(Invite, invite.id).uses == 0
    with pytest.raises(NotFound):
        service.join(private, fan, "not-a-token")
    assert access.membership(private.id, fan) is None and _members(private) == 1


def test_an_invitation_is_for_its_own_circle(ctx):
    one, other = make_circle(visibility="private"), make_circle(visibility="private")
    owner = db.session.get(CircleMember, (one.id, one.owner_id)).user
    invite = invites.create_invite(one, owner, 1, 5)
    with pytest.raises(NotFound):
        service.join(other, make_fan(), invite.token)


def test_only_moderators_make_invitations(ctx):
    circle = make_circle()
    fan = make_fan()
    service.join(circle, fan)
    with pytest.raises(Forbidden):
        invites.create_invite(circle, fan)
    with pytest.raises(ValidationError):
        invites.create_invite(circle, db.session.get(CircleMember, (circle.id, circle.owner_id)).user,
                              expires_in_hours=0)


def test_roles_transfer_and_removal(ctx):
    owner = make_fan()
    circle = make_circle(owner)
    mod, fan = make_fan(), make_fan()
    add_member(circle, mod)
    add_member(circle, fan)
    with pytest.raises(Forbidden):
        service.set_moderator(circle, mod, fan.id)  # only the owner appoints
    service.set_moderator(circle, owner, mod.id)
    assert access.membership(circle.id, mod).role == "moderator"
    with pytest.raises(Forbidden):
        sanctions.remove(circle, mod, owner.id)
    sanctions.remove(circle, mod, fan.id)
    assert access.membership(circle.id, fan) is None
    assert db.session.get(Circle, circle.id).member_count == 2

    with pytest.raises(Conflict) as error:
        service.leave(circle, owner)
    assert error.value.code == "owner_must_transfer"
    service.transfer_ownership(circle, owner, mod.id)
    assert access.membership(circle.id, mod).role == "owner"
    assert access.membership(circle.id, owner).role == "moderator"
    assert db.session.get(Circle, circle.id).owner_id == mod.id
    assert service.leave(circle, owner) is True
    assert db.session.get(Circle, circle.id).member_count == 1


def test_the_directory_lists_open_and_approval_circles_only(ctx):
    fan = make_fan()
    listed = [make_circle(visibility="open"), make_circle(visibility="approval", kind="city",
                                                          city="北京")]
    private = make_circle(visibility="private", members=[fan])
    ids = {c.id for c in service.directory().items}
    assert ids == {c.id for c in listed}
    assert [c.id for c in service.directory(kind="city").items] == [listed[1].id]
    assert [c.id for c in service.directory(city="北京").items] == [listed[1].id]
    assert service.cities() == ["北京"]
    assert private.id in {c.id for c in service.visible_circles(fan).items}
    assert private.id not in {c.id for c in service.visible_circles(make_fan()).items}
    assert private.id not in {c.id for c in service.visible_circles(None).items}
    assert {c.id for c, _role in service.my_circles(fan)} == {private.id}


def test_the_directory_sorts_by_members_or_activity(ctx):
    quiet, busy = make_circle(), make_circle()
    for _ in range(2):
        service.join(quiet, make_fan())
    with transaction():
        db.session.execute(update(Circle).where(Circle.id == busy.id)
                           .values(last_activity_at=utcnow() + timedelta(minutes=5)))
    assert service.directory(sort="members").items[0].id == quiet.id
    assert service.directory(sort="activity").items[0].id == busy.id


def test_a_private_circle_is_not_found_by_outsiders(ctx):
    member = make_fan()
    private = make_circle(visibility="private", members=[member])
    assert access.get_circle(private.slug, member)[0].id == private.id
    for outsider in (make_fan(), make_user(role="staff"), None):
        with pytest.raises(NotFound):
            access.get_circle(private.slug, outsider)


def test_approval_circles_show_their_head_but_not_their_content(ctx):
    approval = make_circle(visibility="approval")
    outsider = make_fan()
    circle, member = access.get_circle(approval.slug, outsider)
    assert circle.id == approval.id and member is None
    with pytest.raises(NotFound):
        access.readable_circle(approval.slug, outsider)
