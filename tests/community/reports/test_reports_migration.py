"""Migration c12aa59ddec2 carries the message reports over into the one reports table (and
the queue's target rows), and back on downgrade. SQLite: the statements are plain SQL
that test_migrations.py runs on PostgreSQL too."""

from flask_migrate import downgrade, upgrade
from helpers import build_app, make_user
from sqlalchemy import text

from community.kernel.extensions import db
from community.messages import sending
from community.messages import service as messages

# The revision just before it (migrations are re-chained as branches merge). The ORM
# seeds the people and messages at the head, then the site goes back to how it was.
BEFORE = "70ad1bffb3a1"


def test_message_reports_carry_over_and_back(tmp_path):
    app = build_app(f"sqlite:///{tmp_path}/carry.sqlite3", tmp_path)
    with app.app_context():
        upgrade()
        li, mei, mod = make_user("li"), make_user("mei"), make_user("mod", role="staff")
        conversation, _ = messages.start(li, ["mei"])
        bad = sending.send(conversation.id, li, "nasty words")
        old = sending.send(conversation.id, li, "old news")
        li, mei, mod, bad, old = (o.id for o in (li, mei, mod, bad, old))
        db.session.remove()
        downgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO message_reports (message_id, reporter_id, reason, created_at) "
                "VALUES (:m, :r, 'rude', '2026-01-02 03:04:05')"), {"m": bad, "r": mei})
            conn.execute(text(
                "INSERT INTO message_reports (message_id, reporter_id, reason, created_at, "
                "resolved_at, resolved_by_id, outcome) VALUES (:m, :r, '', "
                "'2026-01-01 00:00:00', '2026-01-01 01:00:00', :s, 'hidden')"),
                {"m": old, "r": mei, "s": mod})
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
            ("message", bad, mei, "other", "rude", None),
            ("message", old, mei, "other", "", "removed")]
        assert [tuple(t) for t in targets] == [
            ("message", bad, li, "nasty words", 1), ("message", old, li, "old news", 0)]
        downgrade(revision=BEFORE)
        with db.engine.connect() as conn:
            back = conn.execute(text(
                "SELECT message_id, reporter_id, reason, outcome FROM message_reports "
                "ORDER BY message_id")).all()
        assert [tuple(b) for b in back] == [(bad, mei, "rude", None),
                                            (old, mei, "", "hidden")]
        db.engine.dispose()
