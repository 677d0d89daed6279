"""Products grown from ideas, their co-creators, images, stages and polls."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.kernel.database import utcnow
from community.kernel.dependencies import live
from community.kernel.extensions import db

STAGES = ("concept", "co_creation", "preorder", "in_production", "shipped", "cancelled")
_STAGE_CHECK = "stage IN ({})".format(", ".join(f"'{s}'" for s in STAGES))


class Product(db.Model):
    __tablename__ = "products"
    __table_args__ = (CheckConstraint(_STAGE_CHECK, name="stage"),
                      Index("ix_products_stage", "stage", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    summary: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id"))
    # The participation thread: a forum thread (kind "product") in the product's board.
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id"), unique=True)
    stage: Mapped[str] = mapped_column(String(16), default="concept", server_default="concept")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    stage_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Counters moved by SQL arithmetic; views arrive in batches (products/catalog/views_counter.py).
    cocreator_count: Mapped[int] = mapped_column(default=0, server_default="0", info=live())
    view_count: Mapped[int] = mapped_column(default=0, server_default="0", info=live())

    board = relationship("Board", lazy="joined", innerjoin=True)

    def __repr__(self):
        return f"<Product {self.slug}>"


class ProductIdea(db.Model):
    """The ideas a product grew from."""

    __tablename__ = "product_ideas"
    # An idea grows into one product at most; two staff promoting it at once cannot both win.
    __table_args__ = (Index("uq_product_ideas_idea", "idea_id", unique=True),)

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"), primary_key=True, index=True)


class CoCreator(db.Model):
    """Proposers of origin ideas, fans who joined the product, and fans staff named
    (granted_by_id says who): the rights it carries are in cocreation.py."""

    __tablename__ = "cocreators"
    __table_args__ = (CheckConstraint("source IN ('proposer', 'participant')", name="source"),
                      Index("ix_cocreators_user", "user_id"))

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    source: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The staff member who granted co-creation (then it stands without a contribution).
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[datetime | None]

    user = relationship("User", lazy="joined", innerjoin=True, foreign_keys=[user_id])
    granted_by = relationship("User", lazy="select", foreign_keys=[granted_by_id])


class ProductImage(db.Model):
    __tablename__ = "product_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    # A random name under instance/uploads; never the uploader's file name.
    filename: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int]
    position: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StageChange(db.Model):
    __tablename__ = "product_stage_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    from_stage: Mapped[str | None] = mapped_column(String(16))
    to_stage: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor = relationship("User", lazy="joined", innerjoin=True)


class BoardSettings(db.Model):
    """Store-side settings of a community board: the votes an idea needs to be reviewed."""

    __tablename__ = "board_settings"

    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id"), primary_key=True)
    promotion_threshold: Mapped[int] = mapped_column(default=50, server_default="50")


class PollTiming:
    """Whether a poll is open, for a Poll and a row of one (polls.ShownPoll) alike."""

    __slots__ = ()

    def is_open(self, now=None):
        return (now or utcnow()) < self.ends_at


class Poll(PollTiming, db.Model):
    """A design decision put to the product's participants."""

    __tablename__ = "polls"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    question: Mapped[str] = mapped_column(String(200))
    ends_at: Mapped[datetime]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    vote_count: Mapped[int] = mapped_column(default=0, server_default="0", info=live())
    decision: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None]

    options = relationship("PollOption", lazy="selectin", order_by="PollOption.position")


class PollOption(db.Model):
    __tablename__ = "poll_options"
    __table_args__ = (UniqueConstraint("poll_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"))
    label: Mapped[str] = mapped_column(String(120))
    position: Mapped[int]
    votes: Mapped[int] = mapped_column(default=0, server_default="0", info=live())


class PollVote(db.Model):
    """One vote per participant per poll: the primary key says so."""

    __tablename__ = "poll_votes"

    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    option_id: Mapped[int] = mapped_column(ForeignKey("poll_options.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
