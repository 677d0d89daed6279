"""Circles (圈子) and city clubs (同城会): members with roles, join requests, invitation
links, the circle's threads (forum threads of kind "circle"), cards shared in them, and
meetups with RSVPs."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..kernel.database import utcnow
from ..kernel.dependencies import live
from ..kernel.extensions import db

KINDS = ("interest", "city")
VISIBILITIES = ("open", "approval", "private")
ROLES = ("owner", "moderator", "member")
RSVP_STATUSES = ("going", "waitlisted")


def _in(column, values):
    return "{} IN ({})".format(column, ", ".join(f"'{v}'" for v in values))


class Circle(db.Model):
    __tablename__ = "circles"
    __table_args__ = (
        CheckConstraint(_in("kind", KINDS), name="kind"),
        CheckConstraint(_in("visibility", VISIBILITIES), name="visibility"),
        CheckConstraint("member_count >= 0", name="member_count_not_negative"),
        # The directory: listed circles by members or by activity, and by kind and city.
        Index("ix_circles_directory_members", "visibility", "member_count", "id"),
        Index("ix_circles_directory_activity", "visibility", "last_activity_at", "id"),
        Index("ix_circles_kind_city", "kind", "city", "member_count"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(16), default="interest", server_default="interest")
    city: Mapped[str | None] = mapped_column(String(64))
    visibility: Mapped[str] = mapped_column(String(16), default="open", server_default="open")
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # Moved by SQL arithmetic with the membership or thread that causes them.
    member_count: Mapped[int] = mapped_column(default=0, server_default="0", info=live())
    thread_count: Mapped[int] = mapped_column(default=0, server_default="0", info=live())
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner = relationship("User", lazy="joined", innerjoin=True)

    @property
    def is_private(self):
        return self.visibility == "private"

    def __repr__(self):
        return f"<Circle {self.slug}>"


class CircleMember(db.Model):
    __tablename__ = "circle_members"
    __table_args__ = (
        CheckConstraint(_in("role", ROLES), name="role"),
        # "My circles", and every access check (user, circle) reads this index alone.
        Index("ix_circle_members_user", "user_id", "circle_id"),
        # One owner per circle, whatever two transfers at once try.
        Index("uq_circle_members_owner", "circle_id", unique=True,
              sqlite_where=text("role = 'owner'"), postgresql_where=text("role = 'owner'")),
    )

    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), default="member", server_default="member")
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Muted by a moderator: reads, but cannot post in this circle until then (sanctions.py).
    muted_until: Mapped[datetime | None]

    user = relationship("User", lazy="joined", innerjoin=True)

    def is_muted(self, now):
        return self.muted_until is not None and self.muted_until > now


class CircleBan(db.Model):
    """Banned from one circle by its moderators: out, and cannot join again (not even
    with an invitation) until a moderator lifts it."""

    __tablename__ = "circle_bans"

    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User", foreign_keys=[user_id], lazy="joined", innerjoin=True)


class JoinRequest(db.Model):
    """A fan asking to join an approval circle; moderators approve or refuse it."""

    __tablename__ = "circle_requests"

    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User", lazy="joined", innerjoin=True)


class Invite(db.Model):
    """An invitation link: a random token, an expiry and a use limit, revocable."""

    __tablename__ = "circle_invites"
    __table_args__ = (
        # The use limit is the schema's too: redeeming is one conditional UPDATE.
        CheckConstraint("uses >= 0 AND uses <= max_uses", name="within_uses"),
        Index("ix_circle_invites_circle", "circle_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id"))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    expires_at: Mapped[datetime]
    max_uses: Mapped[int]
    uses: Mapped[int] = mapped_column(default=0, server_default="0")
    revoked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by = relationship("User", lazy="joined", innerjoin=True)


class CircleThread(db.Model):
    """Which circle a thread (kind "circle") belongs to: the access hook reads this."""

    __tablename__ = "circle_threads"
    __table_args__ = (Index("ix_circle_threads_circle", "circle_id", "thread_id"),)

    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id"), primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id"))


class CircleCard(db.Model):
    """A card shared as a post of a circle thread; its sharer is an order's referrer."""

    __tablename__ = "circle_cards"
    __table_args__ = (Index("ix_circle_cards_target", "circle_id", "kind", "target_id"),)

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id"))
    kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int]
    sharer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Event(db.Model):
    """A meetup. Its discussion is a circle thread; notices link there."""

    __tablename__ = "circle_events"
    __table_args__ = (
        CheckConstraint("capacity > 0", name="capacity_positive"),
        # The capacity rule lives in the schema too: no write can overfill a meetup.
        CheckConstraint("going_count >= 0 AND going_count <= capacity", name="within_capacity"),
        CheckConstraint("waitlist_count >= 0", name="waitlist_not_negative"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_circle_events_circle", "circle_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id"))
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id"), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    capacity: Mapped[int]
    going_count: Mapped[int] = mapped_column(default=0, server_default="0", info=live())
    waitlist_count: Mapped[int] = mapped_column(default=0, server_default="0", info=live())
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    circle = relationship("Circle", lazy="joined", innerjoin=True)


class Rsvp(db.Model):
    """One per fan per meetup; the waiting list is in id order."""

    __tablename__ = "circle_rsvps"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id"),
        CheckConstraint(_in("status", RSVP_STATUSES), name="status"),
        Index("ix_circle_rsvps_list", "event_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("circle_events.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User", lazy="joined", innerjoin=True)
