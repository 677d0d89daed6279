"""attack4: the data rights' registry still named message_reports (gone with the reports
merge), so every export failed and every closure raised KeyError in the worker; and what
landed after the data rights (drafts, held posts, reports, sanctions,
two-factor secrets and recovery codes) was never declared in the data rights' registry.

Closing an account therefore left the member's unposted drafts, their posts waiting for
approval (text and all), their TOTP secret and recovery code hashes in the database
under the anonymised id, and "download my data" left out their drafts, held posts,
reports and the sanctions on their record."""

import io
import json
import zipfile
from datetime import timedelta

import pyotp
from helpers import make_user
from sqlalchemy import func, select

from community.accounts import twofactor
from community.accounts.twofactor import RecoveryCode, TwoFactor
from community.composer import drafts
from community.composer.models import Draft
from community.datarights import closure, export, registry
from community.gatekeeping.models import HeldPost
from community.kernel.database import transaction, utcnow
from community.kernel.extensions import db

SECRET_TEXT = "my unposted confession about the 2026 tour"


def _count(model, user_id, column="user_id"):
    return db.session.scalar(select(func.count()).select_from(model)
                             .where(getattr(model, column) == user_id))


def _zoe_with_leftovers():
    zoe = make_user("zoe_leftovers")
    drafts.save(zoe, "reply:1", SECRET_TEXT, "/threads/1")
    with transaction():
        db.session.add(HeldPost(author_id=zoe.id, kind="reply", reasons="links",
                                fields={"thread_id": 1, "body": SECRET_TEXT}))
    secret = twofactor.begin_enrolment(zoe)
    twofactor.enable(zoe, pyotp.TOTP(secret).now())
    return zoe


def test_every_account_column_is_declared(app):
    with app.app_context():
        assert registry.unclassified(db.metadata) == []


def test_closing_leaves_no_draft_held_post_or_second_factor(app):
    with app.app_context():
        zoe = _zoe_with_leftovers()
        user_id = zoe.id
        assert _count(TwoFactor, user_id) == 1 and _count(RecoveryCode, user_id) > 0
        now = utcnow()
        with transaction():
            db.session.add(closure.AccountClosure(user_id=user_id, requested_at=now,
                                                  due_at=now, keep_posts=False))
        assert closure.close_due(now=now + timedelta(seconds=1)) == 1
        assert _count(Draft, user_id) == 0
        assert _count(TwoFactor, user_id) == 0
        assert _count(RecoveryCode, user_id) == 0
        left = db.session.scalars(select(HeldPost.fields)
                                  .where(HeldPost.author_id == user_id)).all()
        assert not any(SECRET_TEXT in json.dumps(fields) for fields in left)


def test_the_export_holds_drafts_and_held_posts_but_no_second_factor(app):
    with app.app_context():
        zoe = _zoe_with_leftovers()
        data = export.build_zip(zoe)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert "drafts.json" in names and "held_posts.json" in names
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert SECRET_TEXT in archive.read("drafts.json").decode()
    assert not any(name.startswith(("two_factor", "recovery_codes")) for name in names)
