"""Who follows a product ("notify me"), and the updates staff post to a campaign's backers."""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.kernel.database import utcnow
from community.kernel.dependencies import private_table
from community.kernel.extensions import db

AUDIENCES = ("public", "backers")
# The reply thread of a backers-only update is a thread of this kind, read only by whom
# may read its update (service.can_read_thread, registered with the forum); a public
# update's thread is a product thread anyone reads.
BACKERS_THREAD_KIND = "backer_update"


class ProductFollow(db.Model):
    """Someone wants to hear when the product's campaign is scheduled or opens. The key's
    order serves "who follows this product" (a notice's batches read it in user order)."""

    __tablename__ = "product_follows"
    __table_args__ = (
        Index("ix_product_follows_user", "user_id"),
        private_table(),
    )

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BackerUpdate(db.Model):
    """News from staff to a campaign's backers (all, or those of chosen tiers), shown on the
    product page to everyone (public) or to backers only, with a thread for replies.
    Not a private table: visitors read its public rows. A backers-only row is only ever
    read for a signed-in reader, in a page-cache hole drawn per response
    (products/notices/views.py), never into a page shared by visitors."""

    __tablename__ = "backer_updates"
    __table_args__ = (
        CheckConstraint("audience IN ('public', 'backers')", name="audience"),
        Index("ix_backer_updates_campaign", "campaign_id", "id"),
        Index("ix_backer_updates_product", "product_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    audience: Mapped[str] = mapped_column(String(8), default="public", server_default="public")
    # The tiers whose backers are told; NULL: every backer.
    tier_ids: Mapped[list | None] = mapped_column(JSON)
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author = relationship("User", lazy="joined", innerjoin=True)
