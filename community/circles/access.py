"""Who may see and do what in a circle: the one place every circle page, API route, card
source and the forum's thread hook ask.

- A private circle, and everything in it (threads, replies, members, meetups), exists only
  for its members: anyone else gets NotFound (a 404) everywhere, so not even its
  existence leaks.
- An approval circle shows its name and description to anyone, and the titles and dates
  of its coming meetups (so does a private circle's invitation page, to whoever holds a
  working link); its threads, members and meetups themselves only to members. An open
  circle is read by anyone.
- Joining (or asking to join, or starting a circle) needs a signed-in, unbanned account
  with a confirmed address when FANFORGE_REQUIRE_VERIFIED_EMAIL is on, as posting does.
- Posting, RSVPs and sharing need membership, and a member muted by the circle's
  moderators posts nothing there until the mute ends (sanctions.py); moderating needs the
  moderator or owner role.
- A fan banned from a circle cannot join it again, by any road (open join, request,
  invitation), until its moderators lift the ban.
- Staff have no way in: a circle is its members' (they moderate what fans report elsewhere).

Membership is read from the database at every check (no cache), so leaving, or being
removed, ends access with the next request.
"""

from flask_babel import gettext as _
from sqlalchemy import or_, select

from ..accounts import service as accounts
from ..kernel.database import utcnow
from ..kernel.errors import Forbidden, NotFound
from ..kernel.extensions import db
from .models import Circle, CircleBan, CircleMember, CircleThread

MODERATING = ("owner", "moderator")


def _user_id(user):
    return user.id if user is not None and user.is_authenticated else None


def membership(circle_id, user):
    """The user's CircleMember row in the circle, or None."""
    user_id = _user_id(user)
    if user_id is None:
        return None
    return db.session.get(CircleMember, (circle_id, user_id), populate_existing=True)


def can_see(circle, member):
    """Whether the circle shows at all (its page, the directory, search)."""
    return not circle.is_private or member is not None


def can_read(circle, member):
    """Whether its threads, members and meetups show."""
    return circle.visibility == "open" or member is not None


def is_moderator(member):
    return member is not None and member.role in MODERATING


def _not_found():
    return NotFound(_("No such circle."))


def get_circle(slug, viewer):
    """(circle, membership) of a circle the viewer may see; NotFound otherwise."""
    circle = db.session.scalar(select(Circle).where(Circle.slug == (slug or "").lower()))
    if circle is None:
        raise _not_found()
    member = membership(circle.id, viewer)
    if not can_see(circle, member):
        raise _not_found()
    return circle, member


def readable_circle(slug, viewer):
    """(circle, membership) of a circle whose content the viewer may read; NotFound otherwise."""
    circle, member = get_circle(slug, viewer)
    if not can_read(circle, member):
        raise _not_found()
    return circle, member


def readable_by_id(circle_id, viewer):
    circle = db.session.get(Circle, circle_id)
    if circle is None:
        raise _not_found()
    member = membership(circle.id, viewer)
    if not can_read(circle, member):
        raise _not_found()
    return circle, member


def ensure_can_join(user):
    """Raise Forbidden, saying what to do, unless the user may join a circle."""
    if _user_id(user) is None:
        raise Forbidden(_("Sign in to join."), code="sign_in_required")
    if user.is_banned:
        raise Forbidden(_("Your account is banned and cannot join circles."), code="banned")
    accounts.ensure_verified(user)


def ensure_member(member):
    if member is None:
        raise Forbidden(_("Join the circle first."), code="not_a_member")


def ensure_can_post_in(member):
    """Membership, and no running mute."""
    ensure_member(member)
    if member.is_muted(utcnow()):
        raise Forbidden(_("The circle's moderators muted you here until %(until)s.",
                          until=member.muted_until.strftime("%Y-%m-%d %H:%M UTC")),
                        code="muted")


def ensure_not_banned_from(circle_id, user_id):
    if db.session.get(CircleBan, (circle_id, user_id)) is not None:
        raise Forbidden(_("The circle's moderators banned you from this circle."),
                        code="banned_from_circle")


def ensure_moderator(member):
    if not is_moderator(member):
        raise Forbidden(_("Only the circle's moderators can do that."), code="not_a_moderator")


def ensure_owner(member):
    if member is None or member.role != "owner":
        raise Forbidden(_("Only the circle's owner can do that."), code="not_the_owner")


def visible_clause(viewer):
    """SQL: the circles the viewer may see (listed ones, and private ones they belong to)."""
    user_id = _user_id(viewer)
    if user_id is None:
        return Circle.visibility != "private"
    mine = select(CircleMember.circle_id).where(CircleMember.user_id == user_id)
    return or_(Circle.visibility != "private", Circle.id.in_(mine))


# ---- the forum's hook: threads of kind "circle" ---------------------------------

def circle_of_thread(thread_id):
    return db.session.scalar(
        select(Circle).join(CircleThread, CircleThread.circle_id == Circle.id)
        .where(CircleThread.thread_id == thread_id))


def can_read_thread(thread, viewer):
    circle = circle_of_thread(thread.id)
    return circle is not None and can_read(circle, membership(circle.id, viewer))


def guard_reply(thread, author):
    """Replies need membership; runs inside the reply's transaction."""
    circle = circle_of_thread(thread.id)
    member = membership(circle.id, author) if circle is not None else None
    if member is None:
        raise Forbidden(_("Only members of the circle can reply here."), code="not_a_member")
    ensure_can_post_in(member)
