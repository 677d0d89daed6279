"""The staff's one queue of reports, grouped by what was reported: review one with the
context its reporter could see, then hide it, dismiss the reports, edit it or turn to its
author (warn or suspend on their moderation page)."""

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..kernel.errors import DomainError
from ..web.http import form_text, page_arg
from ..web.roles import staff_required
from . import service, targets
from .forms import TrustedLevelForm
from .labels import REASON_NAMES

bp = Blueprint("report_queue", __name__)


def author_moderation_url(user):
    """The author's moderation page (warnings, suspensions; community/moderation)."""
    return url_for("moderation.member", username=user.username) if user is not None else None


@bp.get("/mod/reports")
@staff_required
def index():
    page, reasons = service.queue(current_user, page_arg())
    form = TrustedLevelForm(trusted_level=service.trusted_level())
    return render_template("community/reports/queue.html", page=page, reasons=reasons,
                           kinds=targets.KINDS, reason_names=REASON_NAMES, form=form,
                           flags=current_app.config["REPORTS_TRUSTED_FLAGS"])


@bp.post("/mod/reports/settings")
@staff_required
def settings():
    form = TrustedLevelForm()
    if form.validate():
        service.set_trusted_level(form.trusted_level.data, current_user)
        flash(_("Saved: reports from level %(n)d up count as trusted.",
                n=form.trusted_level.data), "success")
    else:
        flash(_("Choose a level from 1 to 12."), "error")
    return redirect(url_for("report_queue.index"))


@bp.get("/mod/reports/<target_kind>/<int:target_id>")
@staff_required
def show(target_kind, target_id):
    kind = target_kind
    target_kind = targets.kind(kind)
    row, reports, context = service.open_target(kind, target_id, current_user)
    return render_template(
        "community/reports/show.html", row=row, reports=reports, context=context,
        target_kind=target_kind, reason_names=REASON_NAMES,
        edit_url=target_kind.edit_url(target_id) if target_kind.edit_url else None,
        author_url=author_moderation_url(row.author))


@bp.post("/mod/reports/<target_kind>/<int:target_id>/<any(removed, dismissed):outcome>")
@staff_required
def resolve(target_kind, target_id, outcome):
    kind = target_kind
    try:
        closed = service.resolve(kind, target_id, current_user, outcome, form_text("reason"))
    except DomainError as error:
        if error.status == 404:
            raise
        flash(error.message, "error")
        return redirect(url_for("report_queue.show", target_kind=kind, target_id=target_id))
    if closed:
        flash(_("Hidden, and the reporters were told.") if outcome == "removed"
              else _("Dismissed, and the reporters were told."), "success")
    else:
        flash(_("These reports were already closed."), "info")
    return redirect(url_for("report_queue.index"))
