"""Settings' "Your data and your account": download my data, close my account."""

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from ..accounts import twofactor
from ..kernel.errors import ValidationError
from ..kernel.extensions import limiter
from ..web import ratelimits
from ..web.http import apply_error
from . import closure, export
from .forms import CloseAccountForm, DownloadForm, ExportForm

bp = Blueprint("datarights", __name__)
# Building an export reads every table: one budget per account for the page and the API.
exporting = limiter.shared_limit(lambda: current_app.config["RATELIMIT_DATA_EXPORT"],
                                 scope="data-export", key_func=ratelimits.user_or_address,
                                 methods=["POST"])
NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


@bp.get("/settings/data")
@login_required
def index():
    return _page()


def _page(close_form=None):
    close_form = close_form or CloseAccountForm(formdata=None)
    return render_template("community/datarights/index.html", export_form=ExportForm(),
                           close_form=close_form, latest=export.latest(current_user.id),
                           grace_days=current_app.config["ACCOUNT_CLOSE_GRACE_DAYS"],
                           export_days=current_app.config["DATA_EXPORT_DAYS"],
                           two_factor_on=twofactor.is_enabled(current_user)), \
        422 if close_form.errors else 200, NO_STORE


@bp.post("/settings/data/export")
@login_required
@exporting
def request_export():
    if ExportForm().validate_on_submit():
        export.request_export(current_user)
        flash(_("We are gathering your data. You will get a mail with a download link when "
                "it is ready."), "success")
    return redirect(url_for("datarights.index"))


@bp.route("/settings/data/export/<token>", methods=["GET", "POST"])
@login_required
def download(token):
    """The mailed link opens a page with a button (a mail scanner's visit must not use up
    a single-use link); the button's POST sends the zip."""
    found = export.find_for_link(current_user, token)
    form = DownloadForm()
    if form.validate_on_submit():
        name, data = export.download(current_user, token)
        headers = {**NO_STORE, "Content-Disposition": f'attachment; filename="{name}"'}
        return data, 200, {**headers, "Content-Type": "application/zip"}
    return render_template("community/datarights/download.html", export=found, form=form), \
        200, NO_STORE


@bp.post("/settings/data/close")
@login_required
def close():
    form = CloseAccountForm()
    if form.validate_on_submit():
        try:
            pending = closure.request_closure(current_user, form.password.data,
                                              keep_posts=form.posts.data == "keep",
                                              code=form.code.data)
        except ValidationError as error:
            apply_error(form, error)
        else:
            logout_user()
            flash(_("Your account will be closed on %(when)s. Until then, signing in "
                    "cancels it.", when=format_datetime(pending.due_at, "medium")), "info")
            return redirect(url_for("forum.index"))
    return _page(close_form=form)


def on_sign_in(_app, user, **_kwargs):
    """flask-login's user_logged_in: signing in within the grace period cancels closing,
    and says so."""
    if closure.cancel(user.id):
        flash(_("Welcome back. Your account was going to be closed; signing in has "
                "cancelled that, and it stays open."), "success")
