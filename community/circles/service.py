"""Circle use cases: creating, the directory, joining, requests, leaving, and roles."""

import re

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from ..kernel import slugs
from ..kernel.database import insert_ignore, transaction, utcnow
from ..kernel.errors import Conflict, Forbidden, NotFound, ValidationError
from ..kernel.extensions import db
from ..web.pagination import Page
from . import access, invites, listeners, notices
from .events import drop_rsvps
from .models import KINDS, VISIBILITIES, Circle, CircleMember, JoinRequest

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
LISTED = ("open", "approval")
SORTS = ("members", "activity")
# Words the circle pages' own addresses use (/circles/new, /circles/mine, /circles/invite/...).
RESERVED_SLUGS = ("new", "mine", "invite")
MAX_DESCRIPTION = 2000


# ---- creating --------------------------------------------------------------

def min_level():
    return int(current_app.config.get("CIRCLE_MIN_LEVEL", 2))


def ensure_can_create(user):
    if user is None or not user.is_authenticated:
        raise Forbidden(_("Sign in to start a circle."), code="sign_in_required")
    if user.is_banned:
        raise Forbidden(_("Your account is banned and cannot post."), code="banned")
    access.ensure_can_join(user)  # its owner is its first member
    if not user.is_staff and user.level.number < min_level():
        raise Forbidden(_("Starting a circle needs level %(n)d; you are level %(level)d.",
                          n=min_level(), level=user.level.number), code="level_too_low")


def check_fields(name, slug, description, kind, city, visibility):
    name, slug = (name or "").strip(), (slug or "").strip().lower()
    description, city = (description or "").strip(), (city or "").strip()
    if not 2 <= len(name) <= 100:
        raise ValidationError(_("Give the circle a name of 2 to 100 characters."), field="name")
    if not SLUG_RE.match(slug) or slug in RESERVED_SLUGS:
        raise ValidationError(_("Use 2-64 lower-case letters, digits and '-' for the slug."),
                              field="slug")
    if len(description) > MAX_DESCRIPTION:
        raise ValidationError(_("Keep the description under %(n)d characters.", n=MAX_DESCRIPTION),
                              field="description")
    if kind not in KINDS:
        raise ValidationError(_("A circle is an interest circle or a city club."), field="kind")
    if kind == "city" and not 1 <= len(city) <= 64:
        raise ValidationError(_("A city club needs its city."), field="city")
    if visibility not in VISIBILITIES:
        raise ValidationError(_("Pick open, approval or private."), field="visibility")
    return name, slug, description, kind, (city if kind == "city" else None), visibility


def create_circle(owner, name, slug, description="", kind="interest", city=None,
                  visibility="open"):
    """A circle with its owner; its slug, left empty, is made from its name
    (community/kernel/slugs.py)."""
    return slugs.create_with_slug(
        slug, name, Circle.slug,
        lambda made: _create_circle(owner, name, made, description, kind, city, visibility),
        reserved=RESERVED_SLUGS)


def _create_circle(owner, name, slug, description, kind, city, visibility):
    fields = check_fields(name, slug, description, kind, city, visibility)
    ensure_can_create(owner)
    name, slug, description, kind, city, visibility = fields
    owner_id = owner.id
    try:
        with transaction():
            if db.session.scalar(select(Circle.id).where(Circle.slug == slug)):
                raise _slug_taken()
            circle = Circle(name=name, slug=slug, description=description, kind=kind, city=city,
                            visibility=visibility, owner_id=owner_id, member_count=1)
            db.session.add(circle)
            db.session.flush()
            db.session.add(CircleMember(circle_id=circle.id, user_id=owner_id, role="owner"))
    except IntegrityError:
        raise _slug_taken() from None
    return circle


def _slug_taken():
    return ValidationError(_("A circle with that slug exists."), field="slug", code=slugs.SLUG_TAKEN)


# ---- lists -----------------------------------------------------------------

def _filtered(stmt, kind, city):
    if kind:
        stmt = stmt.where(Circle.kind == kind)
    if city:
        stmt = stmt.where(Circle.city == city.strip())
    return stmt


def _page(stmt, sort, page, per_page):
    order = ((Circle.last_activity_at.desc(), Circle.id.desc()) if sort == "activity"
             else (Circle.member_count.desc(), Circle.id.desc()))
    rows = db.session.scalars(stmt.order_by(*order).limit(per_page + 1)
                              .offset((page - 1) * per_page)).all()
    return Page(items=rows[:per_page], page=page, per_page=per_page, has_next=len(rows) > per_page)


def directory(kind=None, city=None, sort="members", page=1, per_page=20):
    """Open and approval circles, never private ones."""
    stmt = _filtered(select(Circle).where(Circle.visibility.in_(LISTED)), kind, city)
    return _page(stmt, sort, page, per_page)


def visible_circles(viewer, kind=None, city=None, page=1, per_page=20):
    """The directory plus the private circles the viewer belongs to (the API's list)."""
    stmt = _filtered(select(Circle).where(access.visible_clause(viewer)), kind, city)
    return _page(stmt, "members", page, per_page)


def cities():
    """Cities with a listed club, for the directory's filter."""
    return db.session.scalars(
        select(Circle.city).where(Circle.kind == "city", Circle.visibility.in_(LISTED))
        .group_by(Circle.city).order_by(func.count().desc(), Circle.city).limit(50)).all()


def my_circles(user):
    """[(circle, role)] of the user's circles, most active first."""
    return db.session.execute(
        select(Circle, CircleMember.role).join(CircleMember, CircleMember.circle_id == Circle.id)
        .where(CircleMember.user_id == user.id)
        .order_by(Circle.last_activity_at.desc(), Circle.id.desc())).all()


def members(circle, page=1, per_page=50):
    rank = func.coalesce(func.nullif(CircleMember.role, "member"), "z")
    rows = db.session.scalars(
        select(CircleMember).where(CircleMember.circle_id == circle.id)
        .order_by(rank, CircleMember.joined_at, CircleMember.user_id)
        .limit(per_page + 1).offset((page - 1) * per_page)).all()
    return Page(items=rows[:per_page], page=page, per_page=per_page,
                has_next=len(rows) > per_page, total=circle.member_count)


def pending_requests(circle):
    return db.session.scalars(select(JoinRequest).where(JoinRequest.circle_id == circle.id)
                              .order_by(JoinRequest.created_at).limit(200)).all()


def has_requested(circle, user):
    if user is None or not user.is_authenticated:
        return False
    return db.session.get(JoinRequest, (circle.id, user.id)) is not None


# ---- joining and leaving ---------------------------------------------------

def circle_to_join(slug, viewer, token=None):
    """A circle the fan may see, or the one their invitation names (a private one too)."""
    if token:
        circle, _invite = invites.circle_for_token(token)
        if circle.slug == (slug or "").lower():
            return circle
    return access.get_circle(slug, viewer)[0]


def _add_member(circle_id, user_id, role="member"):
    """Inside the caller's transaction; False when already a member."""
    if not insert_ignore(CircleMember, circle_id=circle_id, user_id=user_id, role=role,
                         joined_at=utcnow()):
        return False
    db.session.execute(update(Circle).where(Circle.id == circle_id)
                       .values(member_count=Circle.member_count + 1))
    db.session.execute(delete(JoinRequest).where(JoinRequest.circle_id == circle_id,
                                                 JoinRequest.user_id == user_id))
    return True


def join(circle, user, invite_token=None):
    """Join, or ask to join: "joined", "requested" or "member" (already one).

    An invitation admits to any circle (it is the only way into a private one) and
    spends one use; without one an open circle admits anyone and an approval circle
    files a request for its moderators.
    """
    access.ensure_can_join(user)
    user_id = user.id
    with transaction():
        if access.membership(circle.id, user) is not None:
            return "member"
        if not invite_token and circle.visibility == "private":
            raise NotFound(_("No such circle."))
        access.ensure_not_banned_from(circle.id, user_id)
        if not invite_token and circle.visibility == "approval":
            if insert_ignore(JoinRequest, circle_id=circle.id, user_id=user_id,
                             created_at=utcnow()):
                notices.request_filed(circle, user_id)
            return "requested"
        # The member row first: of two joins at once, only the one that adds it spends an
        # invitation's use (a failed redeem rolls the row back with the transaction).
        if not _add_member(circle.id, user_id):
            return "member"
        if invite_token:
            invites.redeem(circle.id, invite_token)
    return "joined"


def leave(circle, user):
    """Leave at once: threads, members and meetups of a closed circle are gone for the
    leaver from the next request, their RSVPs are cancelled and their notices of it
    are deleted."""
    member = access.membership(circle.id, user)
    if member is None:
        return False
    if member.role == "owner":
        raise Conflict(_("Hand the circle to another member before you leave it."),
                       code="owner_must_transfer")
    with transaction():
        _remove(circle.id, user.id)
    return True


def _remove(circle_id, user_id):
    gone = db.session.execute(delete(CircleMember).where(
        CircleMember.circle_id == circle_id, CircleMember.user_id == user_id,
        CircleMember.role != "owner")).rowcount
    if gone:
        db.session.execute(update(Circle).where(Circle.id == circle_id)
                           .values(member_count=Circle.member_count - 1))
        drop_rsvps(circle_id, user_id)
        listeners.purge(circle_id, user_id)
    return bool(gone)


def cancel_request(circle, user):
    with transaction():
        db.session.execute(delete(JoinRequest).where(JoinRequest.circle_id == circle.id,
                                                     JoinRequest.user_id == user.id))


# ---- moderators' and owners' decisions -------------------------------------

def _target(circle_id, user_id):
    member = db.session.get(CircleMember, (circle_id, user_id), populate_existing=True)
    if member is None:
        raise NotFound(_("Not a member of this circle."))
    return member


def decide_request(circle, actor, user_id, approve):
    """Approve or decline a request; the fan who asked hears which (once: of two
    moderators deciding at once, only the one whose DELETE removed the request goes on)."""
    actor_id = actor.id
    with transaction():
        access.ensure_moderator(access.membership(circle.id, actor))
        done = db.session.execute(delete(JoinRequest).where(
            JoinRequest.circle_id == circle.id, JoinRequest.user_id == user_id)).rowcount
        if not done:
            raise NotFound(_("Nobody asked to join with that id."))
        if approve:
            access.ensure_not_banned_from(circle.id, user_id)
            _add_member(circle.id, user_id)
        notices.request_decided(circle, user_id, approve, actor_id)


def set_moderator(circle, actor, user_id, moderator=True):
    with transaction():
        access.ensure_owner(access.membership(circle.id, actor))
        target = _target(circle.id, user_id)
        if target.role == "owner":
            raise Conflict(_("The owner is already in charge."), code="is_owner")
        target.role = "moderator" if moderator else "member"


def transfer_ownership(circle, actor, user_id):
    """The owner hands over and stays on as a moderator."""
    with transaction():
        mine = access.membership(circle.id, actor)
        access.ensure_owner(mine)
        target = _target(circle.id, user_id)
        if target.user_id == mine.user_id:
            return
        # Demote first: the unique index allows one owner per circle at any moment.
        mine.role = "moderator"
        db.session.flush()
        target.role = "owner"
        db.session.execute(update(Circle).where(Circle.id == circle.id).values(owner_id=user_id))
    db.session.refresh(circle)
