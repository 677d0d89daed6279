"""Migration c12aa59ddec2 carries the message reports over into the one reports table (and
the queue's target rows), and back on downgrade. SQLite: the statements are plain SQL
that test_migrations.py runs on PostgreSQL too."""

from flask_migrate import downgrade, upgrade
from helpers import build_app, make_user
from sqlalchemy import text

from community.kernel.extensions import db
from community.messages import sending
from community.messages import service as messages

BEFORE = "b0a071a02e9c"


def test_message_reports_carry_over_and_back(tmp_path):
    app = build_app(f"sqlite:///{tmp_path}/carry.sqlite3", tmp_path)
    with app.app_context():
        upgrade(revision=BEFORE)
        li, mei, mod = make_user("li"), make_user("mei"), make_user("mod", role="staff")
        conversation, _ = messages.start(li, ["mei"])
        bad = sending.send(conversation.id, li, "nasty words")
        old = sending.send(conversation.id, li, "old news")
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO message_reports (message_id, reporter_id, reason, created_at) "
                "VALUES (:m, :r, 'rude', '2026-01-02 03:04:05')"), {"m": bad.id, "r": mei.id})
            conn.execute(text(
                "INSERT INTO message_reports (message_id, reporter_id, reason, created_at, "
                "resolved_at, resolved_by_id, outcome) VALUES (:m, :r, '', "
                "'2026-01-01 00:00:00', '2026-01-01 01:00:00', :s, 'hidden')"),
                {"m": old.id, "r": mei.id, "s": mod.id})
        db.session.remove()
        upgrade()
        with db.engine.connect() as conn:
            reports = conn.execute(text(
                "SELECT kind, target_id, reporter_id, reason, text, outcome FROM reports "
                "ORDER BY target_id")).all()
            targets = conn.execute(text(
                "SELECT kind, target_id, author_id, title, open_count FROM report_targets "
                "ORDER BY target_id")).all()
        assert [tuple(r) for r in reports] == [
            ("message", bad.id, mei.id, "other", "rude", None),
            ("message", old.id, mei.id, "other", "", "removed")]
        assert [tuple(t) for t in targets] == [
            ("message", bad.id, li.id, "nasty words", 1), ("message", old.id, li.id, "old news", 0)]
        downgrade(revision=BEFORE)
        with db.engine.connect() as conn:
            back = conn.execute(text(
                "SELECT message_id, reporter_id, reason, outcome FROM message_reports "
                "ORDER BY message_id")).all()
        assert [tuple(b) for b in back] == [(bad.id, mei.id, "rude", None),
                                            (old.id, mei.id, "", "hidden")]
        db.engine.dispose()
