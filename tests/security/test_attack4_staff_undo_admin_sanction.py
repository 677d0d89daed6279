"""attack4: only an admin may sanction staff, but any staff member could undo it.

moderation.service refuses a staff member's warning, suspension or ban of another staff
member ("Only an admin can sanction staff."), yet lift() and unban_user() asked only that
the actor be staff: a colleague could lift the suspension or the ban an admin had just
put on a staff account, through the member's moderation page."""

import pytest
from helpers import make_user

from community.kernel.errors import Forbidden
from community.moderation import service


def test_a_staff_member_cannot_undo_an_admins_sanction_on_staff(app):
    with app.app_context():
        admin = make_user("chief4", role="admin")
        rogue, friend = make_user("rogue4", role="staff"), make_user("friend4", role="staff")
        service.suspend(rogue, admin, "Leaked a roadmap", "week")
        with pytest.raises(Forbidden):
            service.lift(rogue, friend, "he said sorry")
        assert rogue.is_suspended
        service.ban_user(rogue, admin, "Leaked it again")
        with pytest.raises(Forbidden):
            service.unban_user(rogue, friend, "he said sorry twice")
        assert rogue.is_banned
        # An admin still may.
        service.unban_user(rogue, admin, "settled")
        assert not rogue.is_banned


def test_staff_still_lift_a_fans_suspension(app):
    with app.app_context():
        staff, fan = make_user("warden5", role="staff"), make_user("fan5")
        service.suspend(fan, staff, "Flaming", "day")
        service.lift(fan, staff, "calmed down")
        assert not fan.is_suspended
