"""Development mail: with no SMTP server set, each mail is an .eml file under
instance/mail/ and its subject and first link are printed, so a password reset works on
a laptop; in production a missing server is an error on the row, not a silent .eml."""

import email
from email import policy

from helpers import make_user
from sqlalchemy import select

from community.kernel.extensions import db
from community.mail import sender
from community.mail.models import MailOutbox


def test_without_a_server_mail_is_an_eml_file_and_its_link_is_printed(sqlite_app, tmp_path,
                                                                        capsys):
    sqlite_app.config.update(MAIL_BACKEND="", MAIL_SERVER="")
    sqlite_app.instance_path = str(tmp_path / "instance")
    with sqlite_app.app_context():
        make_user("newcomer", email="newcomer@example.com", verified=False)
        assert sender.send_due() == {"sent": 1}
    [eml] = (tmp_path / "instance" / "mail").glob("*.eml")
    message = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert message["To"] == "newcomer@example.com"
    assert message.get_body(("plain",)) is not None and message.get_body(("html",)) is not None
    printed = capsys.readouterr().out
    assert "Mail to newcomer@example.com: [Fanforge] Confirm your email address" in printed
    assert "http://fanforge.test/confirm-email/" in printed and str(eml) in printed


def test_in_production_a_missing_server_is_an_error_kept_on_the_row(sqlite_app, tmp_path):
    sqlite_app.config.update(MAIL_BACKEND="", MAIL_SERVER="", ENV="production")
    sqlite_app.instance_path = str(tmp_path / "instance")
    with sqlite_app.app_context():
        make_user(verified=False)
        assert sender.send_due() == {"retry": 1}  # retried once a server is configured
        row = db.session.scalar(select(MailOutbox))
        assert row.status == "queued" and "FANFORGE_MAIL_SERVER is not set" in row.last_error
    assert not (tmp_path / "instance" / "mail").exists()
