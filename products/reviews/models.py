"""Reviews with their helpful marks; questions with their answers."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.kernel.database import utcnow
from community.kernel.dependencies import private_table
from community.kernel.extensions import db


class Review(db.Model):
    __tablename__ = "product_reviews"
    __table_args__ = (
        # One review per order: the database says so, not a check in Python.
        UniqueConstraint("order_id"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),
        Index("ix_product_reviews_helpful", "product_id", "helpful_count", "id"),
        Index("ix_product_reviews_newest", "product_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    rating: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    # The variant bought, as its label read on the order.
    variant_label: Mapped[str | None] = mapped_column(String(200))
    # Moved by SQL arithmetic with each new mark (service.mark_helpful).
    helpful_count: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]
    # Staff hid it after reports (community/reports): it leaves the lists and the rating.
    hidden: Mapped[bool] = mapped_column(default=False, server_default="0")

    author = relationship("User", lazy="joined", innerjoin=True)


class ReviewHelpful(db.Model):
    """One mark per fan per review (the primary key). Who marked what is theirs alone."""

    __tablename__ = "product_review_helpful"
    __table_args__ = private_table()

    review_id: Mapped[int] = mapped_column(ForeignKey("product_reviews.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Question(db.Model):
    __tablename__ = "product_questions"
    __table_args__ = (Index("ix_product_questions_product", "product_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answer_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # The answer staff pinned as the best; not a foreign key (answers name their question).
    pinned_answer_id: Mapped[int | None]

    author = relationship("User", lazy="joined", innerjoin=True)


class Answer(db.Model):
    __tablename__ = "product_answers"
    __table_args__ = (Index("ix_product_answers_question", "question_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("product_questions.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    # Said when written: the author had bought the product ("bought it"), or is staff.
    bought: Mapped[bool] = mapped_column(default=False, server_default="0")
    by_staff: Mapped[bool] = mapped_column(default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author = relationship("User", lazy="joined", innerjoin=True)
