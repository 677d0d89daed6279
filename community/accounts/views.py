"""Sign-up, sign-in, sign-out, settings and profiles."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from .. import ratelimits
from ..engagement.story import profile_story
from ..errors import DomainError, ValidationError
from ..forum import service as forum
from ..http import apply_error, page_arg, redirect_next
from . import service, tokens
from .forms import ChangePasswordForm, LoginForm, NewTokenForm, RegisterForm

bp = Blueprint("accounts", __name__)


@bp.route("/register", methods=["GET", "POST"])
@ratelimits.register
def register():
    if current_user.is_authenticated:
        return redirect(url_for("forum.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = service.register(form.username.data, form.email.data, form.password.data)
        except ValidationError as error:
            apply_error(form, error)
        else:
            login_user(user)
            flash(_("Welcome to Fanforge, %(name)s!", name=user.username), "success")
            return redirect_next()
    return render_template("community/accounts/register.html", form=form), 422 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@ratelimits.login
def login():
    if current_user.is_authenticated:
        return redirect_next()
    form = LoginForm()
    if form.validate_on_submit():
        user = service.authenticate(form.login.data, form.password.data)
        if user is None:
            form.password.errors = [_("Wrong username, email or password.")]
        elif user.is_banned:
            form.login.errors = [_("This account is banned.")]
        else:
            login_user(user, remember=form.remember.data)
            return redirect_next()
    status = 422 if form.errors else 200
    return render_template("community/accounts/login.html", form=form), status


@bp.post("/logout")
def logout():
    logout_user()
    return redirect(url_for("forum.index"))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            service.change_password(current_user, form.current_password.data, form.new_password.data)
        except ValidationError as error:
            apply_error(form, error)
        else:
            # Re-issue this session (and its remember-me cookie) with the new
            # auth_version; every other session of the account ends.
            remember_cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
            login_user(current_user._get_current_object(),
                       remember=remember_cookie in request.cookies)
            flash(_("Password changed. Other sessions have been signed out."), "success")
            return redirect(url_for("accounts.settings"))
    return _settings_page(form, NewTokenForm(formdata=None))


@bp.post("/settings/tokens")
@login_required
def create_token():
    form = NewTokenForm()
    plaintext = None
    if form.validate_on_submit():
        try:
            _token, plaintext = tokens.create_token(current_user, form.name.data)
        except DomainError as error:
            apply_error(form, error)
    # Rendered, not redirected: the plaintext is shown this once and kept nowhere.
    response, status = _settings_page(ChangePasswordForm(formdata=None), form, plaintext)
    return response, status, {"Cache-Control": "no-store"}


@bp.post("/settings/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id):
    token = tokens.revoke_token(current_user, token_id)
    flash(_("Token %(name)s revoked: it no longer works.", name=token.name), "success")
    return redirect(url_for("accounts.settings"))


def _settings_page(password_form, token_form, new_token=None):
    status = 422 if password_form.errors or token_form.errors else 200
    return render_template("community/accounts/settings.html", form=password_form,
                           token_form=token_form, new_token=new_token,
                           tokens=tokens.list_tokens(current_user)), status


@bp.get("/u/<username>")
def profile(username):
    user = service.get_by_username(username)
    tab = request.args.get("tab", "threads")
    per_page = current_app.config["PER_PAGE"]
    page_number = page_arg()
    if tab == "replies":
        page = forum.user_replies(user, current_user, page_number, per_page)
        threads = forum.threads_by_id({p.thread_id for p in page.items})
    else:
        tab = "threads"
        page = forum.user_threads(user, current_user, page_number, per_page)
        threads = {}
    return render_template("community/accounts/profile.html", user=user, tab=tab, page=page,
                           threads=threads, story=profile_story(user))
