"""Staff pages for one member: their record and the warn, suspend, lift, ban and role
forms (/mod/users/<username>, endpoint moderation.member, linked from profiles and the
report queue)."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts import roles
from ..accounts import service as accounts
from ..kernel.errors import DomainError
from ..web.http import apply_error
from ..web.roles import admin_required, staff_required
from . import service
from .forms import BanForm, LiftForm, RoleForm, SuspendForm, WarnForm

bp = Blueprint("moderation", __name__)

FORMS = {"warn": WarnForm, "suspend": SuspendForm, "lift": LiftForm, "ban": BanForm,
         "unban": LiftForm}

def _done(action):
    return {"warn": _("Warning sent."), "suspend": _("Account suspended."),
            "lift": _("Suspension lifted."), "ban": _("Account banned."),
            "unban": _("Ban lifted."), "role": _("Role changed.")}[action]


def _page(user, status=200, **forms):
    for name, form_class in FORMS.items():
        forms.setdefault(name, form_class(formdata=None))
    forms.setdefault("role", RoleForm(formdata=None, role=user.role))
    for name, form in forms.items():  # several forms have a reason: one id each
        for field in form:
            field.id = field.label.field_id = f"{name}-{field.name}"
    return render_template("community/moderation/member.html", member=user,
                           standing=service.standing(user), record=service.record_of(user),
                           forms=forms), status


@bp.get("/mod/users/<username>")
@staff_required
def member(username):
    return _page(accounts.get_by_username(username))


def _apply(action, user, form):
    if action == "warn":
        service.warn(user, current_user, form.reason.data)
    elif action == "suspend":
        until = form.until.utc
        service.suspend(user, current_user, form.reason.data, form.length.data, until)
    elif action == "lift":
        service.lift(user, current_user, form.reason.data)
    elif action == "ban":
        service.ban_user(user, current_user, form.reason.data)
    else:
        service.unban_user(user, current_user, form.reason.data)


@bp.post("/mod/users/<username>/<any(warn, suspend, lift, ban, unban):action>")
@staff_required
def act(username, action):
    user = accounts.get_by_username(username)
    form = FORMS[action]()
    status = 422
    if form.validate():
        try:
            _apply(action, user, form)
        except DomainError as error:
            if error.status == 404:
                raise
            apply_error(form, error)
            status = error.status
        else:
            flash(_done(action), "success")
            return redirect(url_for("moderation.member", username=user.username))
    return _page(user, status, **{action: form})


@bp.post("/mod/users/<username>/role")
@admin_required
def role(username):
    user = accounts.get_by_username(username)
    form = RoleForm()
    if not form.validate():
        return _page(user, 422, role=form)
    if user.id == current_user.id:
        abort(403)
    roles.set_role(user.username, form.role.data, actor=current_user)
    flash(_done("role"), "success")
    return redirect(url_for("moderation.member", username=user.username))
