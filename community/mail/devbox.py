"""Development mail: with no FANFORGE_MAIL_SERVER, each mail is written to
instance/mail/<time>-<id>.eml (open it in any mail program) and its subject and first
link are printed, so a password reset works on a laptop without a mail server."""

import os
import re
from datetime import datetime

import click
from flask import current_app
from flask_mailman.backends.base import BaseEmailBackend

LINK_RE = re.compile(r"https?://\S+")


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        folder = current_app.config.get("MAIL_FILE_PATH") or os.path.join(
            current_app.instance_path, "mail")
        os.makedirs(folder, exist_ok=True)
        for message in email_messages:
            built = message.message()
            serial = re.sub(r"[^\w.-]", "", built["Message-ID"] or "")[:60]
            path = os.path.join(folder, f"{datetime.now():%Y%m%d-%H%M%S-%f}-{serial}.eml")
            with open(path, "wb") as eml:
                eml.write(built.as_bytes())
            link = LINK_RE.search(message.body or "")
            click.echo(f"Mail to {', '.join(message.to)}: {message.subject}")
            click.echo(f"  {link.group(0) if link else '(no link)'}  [{path}]")
        return len(email_messages)
