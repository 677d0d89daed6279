"""One-click unsubscribe (no sign-in needed) and the mail settings form."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.models import User
from ..kernel.extensions import csrf, db
from ..notifications import kinds as notice_kinds
from ..web.http import form_text
from . import prefs

bp = Blueprint("mail", __name__)


@bp.route("/mail/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: the mail client POSTs with no session; the signed token is the key
def unsubscribe(token):
    found = prefs.read_unsubscribe_token(token)
    user = db.session.get(User, found[0]) if found else None
    if user is None:
        return _problem(400, _("This unsubscribe link is broken or was changed, so nothing "
                               "was changed. Use the link exactly as it came in the mail, or "
                               "sign in and change your mail settings."))
    if current_user.is_authenticated and current_user.id != user.id:
        return _problem(403, _("This unsubscribe link is for another account's mail, so "
                               "nothing was changed. Your own mail settings are on your "
                               "settings page."))
    mail_list = found[1]
    if request.method == "GET":  # link checkers fetch links: only a POST changes anything
        return render_template("community/mail/unsubscribe.html", token=token,
                               mail_list=mail_list, user=user)
    kinds = prefs.unsubscribe(user.id, mail_list)
    return render_template("community/mail/unsubscribed.html", kinds=kinds, user=user)


def _problem(status, message):
    return render_template("community/mail/unsubscribe_problem.html", message=message), status


@bp.post("/settings/mail")
@login_required
def preferences():
    choices = {kind: form_text(f"mail-{kind}", None) for kind in notice_kinds.names()}
    choices = {kind: value for kind, value in choices.items() if value is not None}
    prefs.set_preferences(current_user, choices)
    flash(_("Mail settings saved."), "success")
    return redirect(url_for("accounts.settings", _anchor="mail"))
