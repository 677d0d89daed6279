"""Setting, removing and finding an account's avatar.

Files are written before the transaction that points the account at them and the old
ones deleted after it commits, so a failed upload leaves the account as it was and no
file behind."""

import hashlib
import re
import secrets

from flask_babel import gettext as _
from sqlalchemy import select, update

from ..accounts.models import User
from ..kernel.database import sync_loaded, transaction
from ..kernel.errors import NotFound
from ..kernel.extensions import db
from ..media import deletes, storage
from ..media.processing import read_limited
from .drawing import SIZES, sized

TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
CONTENT_TYPE = "image/png"


def file_name(token, size):
    """The storage name of one size of an upload (storage.valid_name's form)."""
    return hashlib.sha256(f"avatar:{token}:{size}".encode()).hexdigest()[:32] + ".png"


def _replace(user_id, token):
    """Point the account at `token` (None: the default); the old token, read under a row
    lock (PostgreSQL) or the write turn (SQLite), so two uploads at once each delete
    only the files they replaced."""
    with transaction(reload=False):
        old = db.session.scalar(select(User.avatar).where(User.id == user_id).with_for_update())
        db.session.execute(update(User).where(User.id == user_id).values(avatar=token)
                           .execution_options(synchronize_session=False))
        sync_loaded(User, user_id, avatar=token)
        noted = deletes.later(files_of(old))
    deletes.run(noted)
    return old


def files_of(token):
    """An avatar's stored files, as (area, name) for media's deletes.later()."""
    return [("media", file_name(token, size)) for size in SIZES] if token else []


def set_avatar(user, upload):
    """Take `upload` (a file from a form) as the account's avatar: re-encoded, cropped and
    sized; ValidationError (field "images") if it is refused. Returns the new token."""
    drawn = sized(read_limited(upload))
    token = secrets.token_hex(16)
    backend = storage.backend()
    written = []
    try:
        for size, data in drawn.items():
            backend.put(file_name(token, size), data, CONTENT_TYPE)
            written.append(size)
        _replace(user.id, token)
    except BaseException:
        for size in written:
            backend.delete(file_name(token, size))
        raise
    return token


def remove_avatar(user):
    """Back to the generated default."""
    return _replace(user.id, None) is not None


def find(user_id, token, size):
    """The PNG bytes of an account's current avatar at `size`; NotFound for anything else
    (an old token, a size not drawn, a name that is not one)."""
    if size not in SIZES or not TOKEN_RE.match(token or ""):
        raise NotFound(_("No such file."))
    current = db.session.scalar(select(User.avatar).where(User.id == user_id))
    data = storage.backend().get(file_name(token, size)) if current == token else None
    if data is None:
        raise NotFound(_("No such file."))
    return data
