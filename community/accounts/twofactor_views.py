"""Two-factor sign-in pages: the code step of signing in, setting it up (while signing in,
for staff; or from the settings, for anyone), turning it off, new recovery codes.

The use cases are in twofactor.py and the half-signed-in state in signin.py. Pages that
show a secret or recovery codes are never stored (no-store) and send no referrer.
"""

import segno
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from ..kernel.errors import DomainError
from ..web import ratelimits
from ..web.http import apply_error
from . import signin, twofactor
from .forms import CodeForm, ConfirmCodeForm

bp = Blueprint("twofactor", __name__)
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _qr_svg(user, secret):
    qr = segno.make(twofactor.provisioning_uri(user, secret), error="m")
    # bandit B704, reviewed: segno's SVG of an otpauth:// link whose label is the
    # username (segno escapes text it writes into the SVG) and a title we wrote.
    return Markup(qr.svg_inline(scale=5, omitsize=True,  # nosec B704
                                title=_("Scan with your authenticator app")))


def _start_again():
    flash(_("Sign in again: the time for the code ran out."), "info")
    return redirect(url_for("accounts.login"))


def _codes_page(codes, continue_url):
    return render_template("community/accounts/recovery_codes.html", codes=codes,
                           continue_url=continue_url), 200, PRIVATE


# ---- while signing in ----------------------------------------------------------

@bp.route("/login/code", methods=["GET", "POST"])
@ratelimits.login_per_client
@signin.code_attempts
def code():
    user = signin.pending_user()
    if user is None:
        return _start_again()
    if twofactor.second_step(user) == "enrol":
        return redirect(url_for("twofactor.enrol"))
    form = CodeForm()
    if form.validate_on_submit():
        if twofactor.verify_second_factor(user, form.code.data):
            return redirect(signin.finish(user))
        form.code.errors = [_("That code is not right. Type the code your app shows now, "
                              "or one of your recovery codes.")]
    return render_template("community/accounts/two_factor_code.html", form=form), \
        422 if form.errors else 200, PRIVATE


@bp.route("/login/two-factor/setup", methods=["GET", "POST"])
@ratelimits.login_per_client
@signin.code_attempts
def enrol():
    """A staff account's first sign-in (or one since its two-factor sign-in was reset)."""
    user = signin.pending_user()
    if user is None:
        return _start_again()
    if twofactor.second_step(user) != "enrol":
        return redirect(url_for("twofactor.code"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = twofactor.enable(user, form.code.data)
        except DomainError as error:
            apply_error(form, error)
        else:
            return _codes_page(codes, signin.finish(user))
    return _setup_page(user, form, signing_in=True)


def _setup_page(user, form, signing_in):
    secret = twofactor.begin_enrolment(user)
    return render_template("community/accounts/two_factor_setup.html", form=form,
                           secret=secret, qr_svg=_qr_svg(user, secret),
                           signing_in=signing_in), 422 if form.errors else 200, PRIVATE


# ---- from the settings -------------------------------------------------------

@bp.get("/settings/two-factor")
@login_required
def settings():
    return _settings_page()


def _settings_page(disable_form=None, codes_form=None):
    user = current_user._get_current_object()
    disable_form = disable_form or ConfirmCodeForm(formdata=None, prefix="off")
    codes_form = codes_form or ConfirmCodeForm(formdata=None, prefix="codes")
    return render_template(
        "community/accounts/two_factor_settings.html", enabled=twofactor.is_enabled(user),
        required=twofactor.required_for(user), codes_left=twofactor.recovery_codes_left(user),
        disable_form=disable_form, codes_form=codes_form), \
        422 if disable_form.errors or codes_form.errors else 200, PRIVATE


@bp.route("/settings/two-factor/setup", methods=["GET", "POST"])
@login_required
@signin.code_attempts
def setup():
    user = current_user._get_current_object()
    if twofactor.is_enabled(user):
        return redirect(url_for("twofactor.settings"))
    form = ConfirmCodeForm()
    if form.validate_on_submit():
        try:
            codes = twofactor.enable(user, form.code.data, password=form.password.data)
        except DomainError as error:
            apply_error(form, error)
        else:
            _keep_this_session(user)
            return _codes_page(codes, url_for("twofactor.settings"))
    return _setup_page(user, form, signing_in=False)


@bp.post("/settings/two-factor/disable")
@login_required
@signin.code_attempts
def disable():
    user = current_user._get_current_object()
    form = ConfirmCodeForm(prefix="off")
    if form.validate_on_submit():
        try:
            twofactor.disable(user, form.password.data, form.code.data)
        except DomainError as error:
            apply_error(form, error)
        else:
            _keep_this_session(user)
            flash(_("Two-factor sign-in is off. Your other sessions were signed out."),
                  "success")
            return redirect(url_for("twofactor.settings"))
    return _settings_page(disable_form=form)


@bp.post("/settings/two-factor/recovery-codes")
@login_required
@signin.code_attempts
def recovery_codes():
    user = current_user._get_current_object()
    form = ConfirmCodeForm(prefix="codes")
    if form.validate_on_submit():
        try:
            codes = twofactor.new_recovery_codes(user, form.password.data, form.code.data)
        except DomainError as error:
            apply_error(form, error)
        else:
            return _codes_page(codes, url_for("twofactor.settings"))
    return _settings_page(codes_form=form)


def _keep_this_session(user):
    """Turning it on or off ended every session: this one goes on, re-issued (with its
    remember-me cookie) at the account's new auth_version."""
    remember_cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    signin.sign_in(user, remember=remember_cookie in request.cookies)

