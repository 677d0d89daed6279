"""A trial, the fans who applied to it, its draws, and the testers' reports.

Questions (of the application form and of the report form) are stored on the trial as a
JSON list (questions.py says what a question is and checks answers against it).
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.kernel.database import utcnow
from community.kernel.dependencies import live, private_table
from community.kernel.extensions import db

# applied -> shortlisted -> selected (offered a place) -> confirmed | declined;
# rejected by staff at any point before confirming.
STATUSES = ("applied", "shortlisted", "selected", "confirmed", "declined", "rejected")
_STATUS_CHECK = "status IN ({})".format(", ".join(f"'{s}'" for s in STATUSES))


class Trial(db.Model):
    __tablename__ = "trials"
    __table_args__ = (
        CheckConstraint("places >= 1", name="places"),
        # The cap the confirm's conditional UPDATE keeps (service.confirm).
        CheckConstraint("places_taken >= 0 AND places_taken <= places", name="places_taken"),
        Index("ix_trials_product", "product_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    places: Mapped[int]
    # Testers who confirmed: moved by SQL arithmetic only.
    places_taken: Mapped[int] = mapped_column(default=0, server_default="0", info=live())
    min_level: Mapped[int] = mapped_column(default=1, server_default="1")
    verified_required: Mapped[bool] = mapped_column(default=True, server_default="1")
    cocreators_first: Mapped[bool] = mapped_column(default=False, server_default="0")
    questions: Mapped[str] = mapped_column(Text, default="[]")
    report_questions: Mapped[str] = mapped_column(Text, default="[]")
    apply_by: Mapped[datetime]
    report_due: Mapped[datetime]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    product = relationship("Product", lazy="joined", innerjoin=True)

    def is_open(self, now=None):
        return (now or utcnow()) < self.apply_by


class TrialApplication(db.Model):
    """One per fan per trial (the unique constraint says so)."""

    __tablename__ = "trial_applications"
    __table_args__ = (
        UniqueConstraint("trial_id", "user_id"),
        CheckConstraint(_STATUS_CHECK, name="status"),
        Index("ix_trial_applications_user", "user_id"),
        private_table(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    answers: Mapped[str] = mapped_column(Text, default="{}")
    status: Mapped[str] = mapped_column(String(12), default="applied", server_default="applied")
    # Place on the shortlist (the order places are offered in when one is declined).
    rank: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]

    user = relationship("User", lazy="joined", innerjoin=True)


class TrialDraw(db.Model):
    """A draw as it ran: its seed and its entries (user, weight, co-creator), so anyone can
    run draw.order(seed, entries) again and get the same winners."""

    __tablename__ = "trial_draws"
    __table_args__ = (Index("ix_trial_draws_trial", "trial_id", "id"), private_table())

    id: Mapped[int] = mapped_column(primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id"))
    seed: Mapped[str] = mapped_column(String(64))
    entries: Mapped[str] = mapped_column(Text)  # JSON [[user_id, weight, cocreator], ...]
    order: Mapped[str] = mapped_column(Text)  # JSON [user_id, ...], best first
    selected: Mapped[str] = mapped_column(Text)  # JSON [user_id, ...] offered a place
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor = relationship("User", lazy="joined", innerjoin=True)


class TrialReport(db.Model):
    """A tester's report: one per tester per trial."""

    __tablename__ = "trial_reports"
    __table_args__ = (UniqueConstraint("trial_id", "user_id"),
                      Index("ix_trial_reports_user", "user_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    answers: Mapped[str] = mapped_column(Text, default="{}")
    public: Mapped[bool] = mapped_column(default=False, server_default="0")
    # The idea staff turned it into (community/ideas), credited to the tester.
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User", lazy="joined", innerjoin=True)
    photos = relationship("TrialPhoto", lazy="selectin", order_by="TrialPhoto.id")


class TrialPhoto(db.Model):
    __tablename__ = "trial_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("trial_reports.id"), index=True)
    # A random name under the upload folder (products/catalog/images.py's rules).
    filename: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
