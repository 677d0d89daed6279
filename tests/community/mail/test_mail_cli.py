"""`flask --app app mail ...`: the commands cron (or an operator) uses beside the worker."""

from datetime import timedelta

from helpers import make_thread, make_user
from sqlalchemy import update

from community.forum import service as forum
from community.kernel import clock
from community.kernel.database import transaction, utcnow
from community.kernel.extensions import db
from community.notifications.models import Notification


def test_status_send_and_retry(app, runner, smtp):
    with app.app_context():
        make_user("newcomer", email="newcomer@example.com", verified=False)
    assert runner.invoke(args=["mail", "status"]).output.startswith("1 queued, 0 failed, 0 sent")
    smtp.stop()
    app.config["MAIL_RETRY_DELAYS"] = []  # the first refusal is final
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0 and result.output.strip() == "1 failed"
    smtp.start()
    assert runner.invoke(args=["mail", "retry"]).output.strip() == "1 mail(s) queued again."
    assert runner.invoke(args=["mail", "send"]).output.strip() == "1 sent"
    assert smtp.wait_for(1) and smtp.messages[0]["To"] == "newcomer@example.com"
    assert runner.invoke(args=["mail", "send"]).output.strip() == "Nothing due."


def test_digests_for_a_day_are_queued_once(app, runner, smtp):
    with app.app_context():
        make_user("fan")
        poster = make_user("poster")
        forum.reply(make_thread(author=poster), poster, "Ping @fan")  # a mention: digest
        when = utcnow() - timedelta(days=1)
        with transaction():
            db.session.execute(update(Notification).values(created_at=when))
        day = clock.utc_to_local(when).date().isoformat()
    first = runner.invoke(args=["mail", "digests", "--day", day])
    assert first.exit_code == 0 and first.output.strip() == f"Queued 1 digest(s) for {day}."
    again = runner.invoke(args=["mail", "digests", "--day", day])
    assert again.output.strip() == f"Queued 0 digest(s) for {day}."
    assert runner.invoke(args=["mail", "send"]).output.strip() == "1 sent"
    assert smtp.wait_for(1) and "1 new" in smtp.messages[0]["Subject"]
