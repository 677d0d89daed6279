"""Accounts: people and their roles."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from ..kernel.database import utcnow
from ..kernel.dependencies import live
from ..kernel.extensions import db
from ..kernel.reads import moment
from .levels import level_for

ROLES = ("fan", "staff", "admin")
SKELETON_CHARS = 160  # a prototype may be several characters (m is rn)


class AccountFacts(UserMixin):
    """What a signed-in account's role, ban and session id say, for the full account
    (User) and for the light reader of a stored page (community/viewer/readers.py) alike."""

    @property
    def is_staff(self):
        return self.role in ("staff", "admin")

    @property
    def is_admin(self):
        return self.role == "admin"

    @property
    def is_banned(self):
        return self.banned_at is not None

    @property
    def is_suspended(self):
        """Suspended now: the end is read against the clock at every ask, so a suspension
        lifts itself when its time is up (community/moderation)."""
        return self.suspended_until is not None and self.suspended_until > utcnow()

    def get_id(self):
        return f"{self.id}.{self.auth_version}"


class User(AccountFacts, db.Model):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('fan', 'staff', 'admin')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(32))
    # Casefolded copy (NFKC first): "Li" and "li" are one name, enforced by the database.
    username_key: Mapped[str] = mapped_column(String(32), unique=True)
    # TR39's skeleton (accounts/names.py): "аdmin" (Cyrillic а) and "admin" are one name too.
    username_skeleton: Mapped[str] = mapped_column(String(SKELETON_CHARS), unique=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(8), default="fan", server_default="fan")
    locale: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    banned_at: Mapped[datetime | None]
    ban_reason: Mapped[str | None] = mapped_column(String(500))
    # The current suspension (community/moderation/service.py): over once the clock
    # passes it, whether or not anything cleared it.
    suspended_until: Mapped[datetime | None]
    suspension_reason: Mapped[str | None] = mapped_column(String(500))
    # Bumped when the password changes or the account is banned: every session and
    # remember-me cookie carries it, so old ones stop working.
    auth_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # Set once the address proved to be the user's (the link in the mail was opened).
    email_verified_at: Mapped[datetime | None]
    # A new address waiting for its link to be opened; `email` stays until then.
    pending_email: Mapped[str | None] = mapped_column(String(254))
    pending_email_at: Mapped[datetime | None]
    # Experience points, moved by SQL arithmetic with every ledger change
    # (community/engagement/ledger.py); the level is a pure function of them.
    points: Mapped[int] = mapped_column(default=0, server_default="0", info=live())
    # The uploaded avatar's token (community/avatars/): its sized files are named from it,
    # and a new upload gets a new one, so the picture's URL changes with the picture.
    # None: the generated default (the initial on a colour from the id).
    avatar: Mapped[str | None] = mapped_column(String(32))

    @property
    def is_verified(self):
        return self.email_verified_at is not None

    @property
    def level(self):
        return level_for(self.points)

    def __repr__(self):
        return f"<User {self.username}>"


# What a Reader holds: enough for a stored page's hit and for the API's write paths.
READER_COLUMNS = (User.id, User.username, User.role, User.locale, User.banned_at,
                  User.auth_version, User.email_verified_at, User.suspended_until)


class Reader(AccountFacts):
    """A signed-in account's facts from a row of READER_COLUMNS (one Core statement, where
    loading a User costs several times more Python). Anything else asked of it loads the
    full account, once: a use case that changes the account or links rows to it takes
    `account`."""

    def __init__(self, row):
        (self.id, self.username, self.role, self.locale, banned_at, self.auth_version,
         verified_at, suspended_until) = row[:len(READER_COLUMNS)]
        # A row run as the driver's own SQL (community/kernel/compiled.py) holds SQLite's text.
        self.banned_at, self.email_verified_at = moment(banned_at), moment(verified_at)
        self.suspended_until = moment(suspended_until)
        self._account = None

    @property
    def account(self):
        """The full account (one more statement, the first time)."""
        if self._account is None:
            self._account = db.session.get(User, self.id)
        return self._account

    def __getattr__(self, name):  # only what the row does not hold gets here
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.account, name)

    def __repr__(self):
        return f"<Reader {self.username}>"
