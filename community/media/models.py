"""An image a fan attached to something (a post, a review), with its thumbnail."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ..kernel.database import utcnow
from ..kernel.dependencies import private_table
from ..kernel.extensions import db


class MediaImage(db.Model):
    __tablename__ = "media_images"
    __table_args__ = (Index("ix_media_images_owner", "owner_kind", "owner_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # What it is attached to: ("post", post id), ("review", review id), ... The owner's
    # package says which kinds it uses; this package never reads the owners.
    owner_kind: Mapped[str] = mapped_column(String(16))
    owner_id: Mapped[int]
    uploader_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # Random names (storage.py): the image and its thumbnail, both re-encoded here.
    name: Mapped[str] = mapped_column(String(40), unique=True)
    thumb_name: Mapped[str] = mapped_column(String(40), unique=True)
    content_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int]
    width: Mapped[int]
    height: Mapped[int]
    position: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MediaBlob(db.Model):
    """A stored file's bytes, for FANFORGE_MEDIA_STORAGE=database (storage.py): every host
    on the database serves every upload, with no shared disk. Names are storage.new_name()'s."""

    __tablename__ = "media_blobs"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(32))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FileDelete(db.Model):
    """A stored file to delete, written in the transaction that dropped what named it (a
    removed photo, a closed account's avatar, a used data export): a delete that fails after the commit (the
    bucket answers 503 once) is tried again by the worker, not forgotten (deletes.py)."""

    __tablename__ = "file_deletes"
    __table_args__ = (Index("ix_file_deletes_due", "next_try_at"), private_table())

    id: Mapped[int] = mapped_column(primary_key=True)
    area: Mapped[str] = mapped_column(String(16))  # storage.AREAS
    name: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_try_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
