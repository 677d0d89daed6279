"""Sign-up, sign-in, sign-out, address confirmation, password reset, settings, profiles."""

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, logout_user

from ..engagement.story import profile_story
from ..forum import service as forum
from ..kernel.errors import DomainError, ValidationError
from ..kernel.extensions import limiter
from ..mail import prefs as mail_prefs
from ..web import ratelimits
from ..web.http import apply_error, next_url, page_arg, redirect_next, text_arg
from ..web.pagecache import public_page
from . import passwords, recovery, service, signin, tokens, verification
from .forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    NewTokenForm,
    RegisterForm,
    ResetPasswordForm,
)
from .links import LinkProblem

bp = Blueprint("accounts", __name__)
NO_REFERRER = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


def _config(name):
    return lambda: current_app.config[name]


reset_per_client = limiter.limit(_config("RATELIMIT_RESET"), key_func=get_remote_address,
                                 methods=["POST"])
# Per address asked for, whether it has an account or not; fails closed (ratelimits).
reset_per_address = ratelimits.per_account("RATELIMIT_RESET_ADDRESS", "reset-address")
# One budget for confirmation mails, whether resent or for a new address.
confirmation_mail = limiter.shared_limit(_config("RATELIMIT_RESEND"), scope="confirmation-mail",
                                         key_func=ratelimits.user_or_address, methods=["POST"])


_sign_in = signin.sign_in
SECOND_STEPS = {"code": "twofactor.code", "enrol": "twofactor.enrol"}


def _begin_sign_in(user, remember=False):
    """Signed in, or on to the second step (two-factor sign-in): the redirect either way."""
    step = signin.begin(user, remember, next_url())
    if step is None:
        return redirect_next()
    return redirect(url_for(SECOND_STEPS[step]))


@bp.route("/register", methods=["GET", "POST"])
@ratelimits.register
def register():
    if current_user.is_authenticated:
        return redirect(url_for("forum.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            service.sign_up(form.username.data, form.email.data, form.password.data,
                            locale=str(get_locale()))
        except ValidationError as error:
            apply_error(form, error)
        else:
            # The same page whether the address was new or already had an account.
            return render_template("community/accounts/register_sent.html",
                                   email=service.normalize_email(form.email.data)), \
                200, {"Cache-Control": "no-store"}
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
            return _begin_sign_in(user, remember=form.remember.data)
    status = 422 if form.errors else 200
    return render_template("community/accounts/login.html", form=form), status


@bp.post("/logout")
def logout():
    """Ends the session on the server too: the account's auth_version moves on, so this
    session cookie and its remember-me cookie stop working wherever a copy of them is.
    That signs out the account's other sessions as well; the price of needing no
    session store and no extra query per request (the version rides in the session id
    Flask-Login already checks, for stored pages' light readers too)."""
    if current_user.is_authenticated:
        passwords.end_sessions(current_user.id)
    signin.forget_pending()
    logout_user()
    return redirect(url_for("forum.index"))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            passwords.change_password(current_user, form.current_password.data,
                                      form.new_password.data)
        except ValidationError as error:
            apply_error(form, error)
        else:
            # Re-issue this session (and its remember-me cookie) with the new
            # auth_version; every other session of the account ends.
            remember_cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
            _sign_in(current_user._get_current_object(), remember=remember_cookie in request.cookies)
            flash(_("Password changed. Other sessions have been signed out and your API "
                    "tokens were revoked."), "success")
            return redirect(url_for("accounts.settings"))
    return _settings_page(password_form=form)


@bp.post("/settings/tokens")
@login_required
def create_token():
    form = _token_form()
    plaintext = None
    if form.validate_on_submit():
        try:
            _token, plaintext = tokens.create_token(
                current_user, form.name.data, form.scopes.data or tokens.DEFAULT_SCOPES)
        except DomainError as error:
            apply_error(form, error)
    # Rendered, not redirected: the plaintext is shown this once and kept nowhere.
    response, status = _settings_page(token_form=form, new_token=plaintext)
    return response, status, {"Cache-Control": "no-store"}


def _token_form(**kwargs):
    form = NewTokenForm(**kwargs)
    form.scopes.choices = [(scope, tokens.SCOPES[scope])
                           for scope in tokens.allowed_scopes(current_user)]
    return form


@bp.post("/settings/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id):
    token = tokens.revoke_token(current_user, token_id)
    flash(_("Token %(name)s revoked: it no longer works.", name=token.name), "success")
    return redirect(url_for("accounts.settings"))


def _settings_page(password_form=None, token_form=None, email_form=None, new_token=None):
    password_form = password_form or ChangePasswordForm(formdata=None)
    token_form = token_form or _token_form(formdata=None)
    email_form = email_form or ChangeEmailForm(formdata=None)
    failed = password_form.errors or token_form.errors or email_form.errors
    return render_template("community/accounts/settings.html", form=password_form,
                           token_form=token_form, email_form=email_form, new_token=new_token,
                           tokens=tokens.list_tokens(current_user),
                           mail_prefs=mail_prefs.preferences(current_user.id)), \
        422 if failed else 200


@bp.post("/settings/email")
@login_required
@confirmation_mail
def change_email():
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            address = verification.request_change(current_user, form.email.data,
                                                   form.password.data)
        except ValidationError as error:
            apply_error(form, error)
        else:
            flash(_("We sent a link to %(email)s. Your address changes when you open it.",
                    email=address), "success")
            return redirect(url_for("accounts.settings", _anchor="email"))
    return _settings_page(email_form=form)


@bp.post("/settings/email/confirm")
@login_required
@confirmation_mail
def resend_confirmation():
    try:
        address = verification.resend(current_user)
    except DomainError as error:
        flash(error.message, "info")
    else:
        flash(_("We sent a new link to %(email)s.", email=address), "success")
    return redirect(url_for("accounts.settings", _anchor="email"))


@bp.get("/confirm-email/<token>")
def verify_email(token):
    try:
        user, what = verification.confirm(token)
    except LinkProblem as problem:
        return _link_problem(problem)
    return render_template("community/accounts/verified.html", user=user, what=what), \
        200, NO_REFERRER


@bp.route("/forgot-password", methods=["GET", "POST"])
@reset_per_client
@reset_per_address
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        try:
            recovery.request_reset(form.email.data)
        except ValidationError as error:
            apply_error(form, error)
        else:
            # The same page whether or not an account has this address.
            return render_template("community/accounts/forgot_sent.html")
    return render_template("community/accounts/forgot.html", form=form), \
        422 if form.errors else 200


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token):
    try:
        recovery.user_for_link(token)
    except LinkProblem as problem:
        return _link_problem(problem)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = recovery.reset_password(token, form.new_password.data)
        except LinkProblem as problem:
            return _link_problem(problem)
        except ValidationError as error:
            apply_error(form, error)
        else:
            logout_user()
            # With two-factor sign-in, the mail alone does not sign anyone in.
            step = signin.begin(user)
            if step is not None:
                flash(_("Your new password is set. Every other session was signed out and "
                        "your API tokens were revoked. Finish signing in with your code."),
                      "success")
                return redirect(url_for(SECOND_STEPS[step]))
            flash(_("Your new password is set and you are signed in. Every other session "
                    "was signed out and your API tokens were revoked."), "success")
            return redirect(url_for("forum.index"))
    return render_template("community/accounts/reset.html", form=form), \
        422 if form.errors else 200, NO_REFERRER


def _link_problem(problem):
    return render_template("community/accounts/link_problem.html", problem=problem), \
        problem.status, NO_REFERRER


@bp.get("/u/<username>")
@public_page
def profile(username):
    user = service.get_by_username(username)
    tab = text_arg("tab", "threads")
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
