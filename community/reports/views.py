"""Reporting from the site: a small form (reason and text) for anything one can see. A
target one cannot see is the same 404 as a missing one."""

from flask import Blueprint, flash, redirect, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..kernel.errors import Conflict, DomainError
from ..web import ratelimits
from ..web.http import apply_error
from . import service, targets
from .forms import ReportForm

bp = Blueprint("reports", __name__)


@bp.route("/report/<target_kind>/<int:target_id>", methods=["GET", "POST"])
@login_required
@ratelimits.posting
def new(target_kind, target_id):
    kind = target_kind
    target = targets.find(kind, target_id, current_user)
    form = ReportForm()
    status = 200
    if form.validate_on_submit():
        try:
            service.report(kind, target_id, current_user, form.reason.data, form.text.data)
        except Conflict as error:
            flash(error.message, "info")
            return redirect(target.url or "/")
        except DomainError as error:
            if error.status == 404:
                raise
            apply_error(form, error)
            status = 422
        else:
            flash(_("Thank you: staff will look at your report."), "success")
            return redirect(target.url or "/")
    elif form.is_submitted():
        status = 422
    return render_template("community/reports/new.html", form=form, target=target,
                           label=targets.kind(kind).label), status
