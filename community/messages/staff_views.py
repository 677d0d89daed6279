"""The staff's queue of reported messages: each with its context, to dismiss or hide."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..web.http import form_text, page_arg
from ..web.roles import staff_required
from . import reports

bp = Blueprint("message_reports", __name__)


@bp.get("/mod/reports")
@staff_required
def index():
    return render_template("community/messages/reports.html",
                           page=reports.open_reports(page_arg()))


@bp.get("/mod/reports/<int:report_id>")
@staff_required
def show(report_id):
    found = reports.get_report(report_id, current_user)
    return render_template("community/messages/report.html", report=found,
                           context=reports.context_of(found))


@bp.post("/mod/reports/<int:report_id>/<any(dismissed, hidden):outcome>")
@staff_required
def resolve(report_id, outcome):
    reports.resolve(report_id, current_user, outcome, form_text("reason"))
    flash(_("Report closed."), "success")
    return redirect(url_for("message_reports.index"))
