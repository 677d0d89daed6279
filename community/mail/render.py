"""Turning an outbox row into a message: each kind's builder says to whom, what and in
which language; `compose` renders the plain-text and HTML parts with Flask-Mailman.

Builders run at send time inside a request context on FANFORGE_SITE_URL, so templates
and builders use `absolute_url(...)` (community/web/site.py) as pages do, and a link in a mail
always points at the public site, even from a worker.
"""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale
from flask_mailman import EmailMultiAlternatives

from .prefs import unsubscribe_url

# kind -> build(row) -> Letter, or None when the mail is no longer wanted (skipped).
BUILDERS = {}


@dataclass
class Letter:
    to: str
    subject: object  # a callable: compose() calls it in the recipient's language
    template: str  # "community/mail/x": x.txt and x.html
    locale: str
    context: dict = field(default_factory=dict)
    # (user_id, list) for notification mail: List-Unsubscribe for that list.
    unsubscribe: tuple | None = None


def register_kind(kind, build):
    BUILDERS[kind] = build


def site_url():
    return current_app.config["SITE_URL"].rstrip("/") + "/"


def locale_of(user):
    languages = current_app.config["LANGUAGES"]
    if user is not None and user.locale in languages:
        return user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def build_message(row):
    """The message for an outbox row, or None when its builder says it is not wanted."""
    build = BUILDERS.get(row.kind)
    if build is None:
        raise LookupError(f"no mail builder for kind {row.kind!r}")
    with current_app.test_request_context("/", base_url=site_url()):
        letter = build(row)
        return None if letter is None else compose(letter, row)


def compose(letter, row):
    cfg = current_app.config
    headers = {"Message-ID": row.message_id(_domain()), "Auto-Submitted": "auto-generated"}
    context = dict(letter.context, site_name=cfg["SITE_NAME"], site_url=site_url(),
                   unsubscribe_url=None)
    if letter.unsubscribe:
        url = unsubscribe_url(*letter.unsubscribe)
        context["unsubscribe_url"] = url
        # RFC 8058: mail clients offer a one-click button that POSTs to this URL.
        headers["List-Unsubscribe"] = f"<{url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    with force_locale(letter.locale):
        subject = f"[{cfg['SITE_NAME']}] {letter.subject()}"
        text = render_template(letter.template + ".txt", **context)
        html = render_template(letter.template + ".html", **context)
    message = EmailMultiAlternatives(subject, text, cfg["MAIL_DEFAULT_SENDER"], [letter.to],
                                     headers=headers)
    message.attach_alternative(html, "text/html")
    return message


def _domain():
    return urlsplit(site_url()).hostname or "fanforge.invalid"
