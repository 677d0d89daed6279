"""Download my data: asked for in settings or the API, built by a worker into a zip (one
JSON file per area and a readable index.html), kept in the media storage backend (so any
host can serve it), and mailed as a single-use link that works for DATA_EXPORT_DAYS.

Rows come from the registry: every exported rule's table, the rows whose account column
is the member's, less secrets and each rule's hidden columns. Nothing is read through
another account's column, so nothing of anyone else's rows gets in.
"""

import hashlib
import io
import json
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import select, update

from .. import mail
from ..accounts.models import User
from ..kernel import jobs
from ..kernel.database import transaction, utcnow
from ..kernel.errors import NotFound
from ..kernel.extensions import db
from ..mail import locale_of
from ..media import deletes, storage
from . import audit, registry
from .models import DataExport

BUILD_TASK = "datarights.build_exports"
MAIL_KIND = "data_export_ready"
SALT = "fanforge-data-export"
INDEX_ROWS = 200  # rows per area drawn in index.html; the JSON files hold them all


def request_export(user):
    """Queue an export of `user`'s data, or return the one already waiting. The account's
    row is taken first, so two requests at once take turns (SQLite's BEGIN IMMEDIATE
    already does) and the second finds the first's."""
    with transaction():
        db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
        waiting = db.session.scalar(select(DataExport).where(
            DataExport.user_id == user.id, DataExport.state == "queued"))
        if waiting is not None:
            return waiting
        export = DataExport(user_id=user.id, state="queued", requested_at=utcnow())
        db.session.add(export)
        db.session.flush()
        audit.record("data_export.requested", user.id, export.id)
        jobs.kick_after_commit(BUILD_TASK)
    return export


def latest(user_id):
    return db.session.scalar(select(DataExport).where(DataExport.user_id == user_id)
                             .order_by(DataExport.id.desc()).limit(1))


# ---- what goes in ----------------------------------------------------------

def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return None
    return value


def collect(user_id):
    """{area: [row dict, ...]} of everything the account wrote and owns, by the rules."""
    areas = {}
    for rule in registry.exported():
        table = db.metadata.tables[rule.table]
        hidden = registry.SECRET_COLUMNS | set(rule.hide)
        columns = [c for c in table.columns if c.name not in hidden]
        stmt = select(*columns).where(table.c[rule.column] == user_id) \
            .order_by(*table.primary_key.columns)
        rows = [{k: _plain(v) for k, v in row._mapping.items()}
                for row in db.session.execute(stmt)]
        area = rule.table if rule.table not in areas else f"{rule.table}.{rule.column}"
        areas[area] = rows
    return areas


def build_zip(user):
    """The zip's bytes for `user`: <area>.json for each area, index.html, and media/ with
    the images they uploaded."""
    areas = collect(user.id)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for area, rows in areas.items():
            archive.writestr(f"{area}.json", json.dumps(rows, ensure_ascii=False, indent=1))
        for row in areas.get("media_images", ()):  # the photos they uploaded, as stored
            if storage.valid_name(row.get("name")) \
                    and (data := storage.backend().get(row["name"])) is not None:
                archive.writestr(f"media/{row['name']}", data)
        archive.writestr("index.html", _index_html(user, areas))
    return out.getvalue()


def _index_html(user, areas):
    site = current_app.config["SITE_URL"].rstrip("/") + "/"
    with current_app.test_request_context("/", base_url=site), force_locale(locale_of(user)):
        return render_template("community/datarights/export_index.html", user=user,
                               areas=areas, made_at=utcnow(), limit=INDEX_ROWS)


# ---- the worker ------------------------------------------------------------

def build_due(limit=10):
    """Build every queued export (each at most once, whichever worker gets there) and
    forget expired ones. Safe to run twice; returns how many were built."""
    expire_old()
    ids = db.session.scalars(select(DataExport.id).where(DataExport.state == "queued")
                             .order_by(DataExport.id).limit(limit)).all()
    db.session.rollback()
    return sum(build_one(export_id) for export_id in ids)


def build_one(export_id):
    export = db.session.get(DataExport, export_id)
    if export is None or export.state != "queued":
        return False
    user = db.session.get(User, export.user_id)
    try:
        data = build_zip(user)
    except Exception:  # one broken export must not hold up the others, nor loop for ever
        db.session.rollback()
        current_app.logger.exception("data export %s failed", export_id)
        with transaction(reload=False):
            db.session.execute(update(DataExport).where(
                DataExport.id == export_id, DataExport.state == "queued")
                .values(state="failed").execution_options(synchronize_session=False))
        return False
    name = storage.new_name("zip")
    storage.backend().put(name, data, "application/zip")
    now = utcnow()
    with transaction(reload=False):
        won = db.session.execute(
            update(DataExport).where(DataExport.id == export_id, DataExport.state == "queued")
            .values(state="ready", file_name=name, size=len(data), ready_at=now,
                    expires_at=now + timedelta(days=current_app.config["DATA_EXPORT_DAYS"]))
            .execution_options(synchronize_session=False)).rowcount
        if won:
            mail.queue(MAIL_KIND, user_id=user.id, ref_id=export_id)
        # Another worker built it first, or the account closed meanwhile: this zip goes,
        # and is tried again if the storage refuses now (it holds the account's data).
        noted = [] if won else deletes.later([("media", name)])
    deletes.run(noted)
    db.session.expire_all()
    return bool(won)


def expire_old(now=None):
    """Ready exports past their date: the file goes, the row says expired."""
    now = now or utcnow()
    rows = db.session.execute(select(DataExport.id, DataExport.file_name).where(
        DataExport.state == "ready", DataExport.expires_at <= now)).all()
    db.session.rollback()
    for export_id, name in rows:
        with transaction(reload=False):
            done = db.session.execute(
                update(DataExport).where(DataExport.id == export_id, DataExport.state == "ready")
                .values(state="expired", file_name=None)
                .execution_options(synchronize_session=False)).rowcount
            noted = deletes.later([("media", name)]) if done else []
        deletes.run(noted)
    return len(rows)


# ---- the link --------------------------------------------------------------

def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _file_mark(file_name):
    """What a link says of its file: enough to tell it from a later one, never its name.
    The token is signed, not sealed (anyone can read it), and the name is the file's key
    in the storage, which a public bucket (media/s3.py) serves to whoever names it."""
    return hashlib.sha256((file_name or "").encode()).hexdigest()[:32]


def link_token(export):
    return _serializer().dumps({"x": export.id, "f": _file_mark(export.file_name)})


def find_for_link(user, token):
    """The ready export a mailed link names, if it is `user`'s; NotFound for anything else
    (another's link, a used or expired one, a forged token)."""
    try:
        data = _serializer().loads(token)
    except BadData:
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("x"), int):
        raise NotFound(_("This download link does not work: it was used already, it "
                         "expired, or it is not yours."))
    export = db.session.get(DataExport, data["x"])
    if export is None or export.user_id != user.id or export.state != "ready" \
            or not export.file_name or _file_mark(export.file_name) != data.get("f") \
            or export.expires_at <= utcnow():
        raise NotFound(_("This download link does not work: it was used already, it "
                         "expired, or it is not yours."))
    return export


def download(user, token):
    """(file name, bytes) of the export, once: the link stops working as it is used."""
    export = find_for_link(user, token)
    name = export.file_name
    data = storage.backend().get(name)
    with transaction(reload=False):
        taken = data is not None and db.session.execute(
            update(DataExport).where(DataExport.id == export.id, DataExport.state == "ready",
                                     DataExport.file_name == name)
            .values(state="downloaded", downloaded_at=utcnow(), file_name=None)
            .execution_options(synchronize_session=False)).rowcount
        noted = deletes.later([("media", name)]) if taken else []
    if not taken:
        raise NotFound(_("This download link does not work: it was used already, it "
                         "expired, or it is not yours."))
    deletes.run(noted)
    stamp = export.requested_at.strftime("%Y%m%d")
    return f"fanforge-data-{stamp}.zip", data
