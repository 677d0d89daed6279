"""Fans' trial pages: a trial (apply, confirm or decline, the testers and public reports),
filing a report, report photos, and my trials. None of them is stored by the page cache:
each shows its reader's own application."""

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.kernel.errors import DomainError
from community.web.http import apply_error, flash_outcome

from . import photos, reports, selection, service
from .forms import ReportForm, answers_from

bp = Blueprint("trials", __name__)

PHOTO_MAX_AGE = 24 * 3600
# Room for the multipart envelope and the fields around the photos.
UPLOAD_LIMIT = photos.MAX_PHOTOS * 5 * 1024 * 1024 + 64 * 1024


@bp.url_value_preprocessor
def limit_upload_size(endpoint, _values):
    if endpoint == "trials.report":
        request.max_content_length = UPLOAD_LIMIT


def _page(trial, status=200, errors=None, answers=None):
    mine = service.application_of(trial.id, current_user)
    own_report = reports.report_of(trial.id, current_user.id) if mine is not None else None
    can_apply = None
    if mine is None:
        try:
            service.ensure_can_apply(trial, current_user)
            can_apply = True
        except DomainError as error:
            can_apply = error.message
    return render_template(
        "products/trials/show.html", trial=trial, questions=service.asked(trial),
        report_questions=service.report_asked(trial), mine=mine, own_report=own_report,
        can_apply=can_apply, testers=service.testers(trial.id),
        public_reports=reports.reports(trial.id), answers_of=reports.answers_of,
        counts=service.counts(trial.id), errors=errors or {}, answers=answers or {}), status


@bp.get("/trials/<int:trial_id>")
def show(trial_id):
    return _page(service.get_trial(trial_id))


@bp.post("/trials/<int:trial_id>/apply")
@login_required
def apply(trial_id):
    trial = service.get_trial(trial_id)
    answers = answers_from(request.form)
    try:
        service.apply(trial.id, current_user, answers)
    except DomainError as error:
        flash(error.message, "error")
        return _page(trial, error.status, {error.field: error.message}, answers)
    flash(_("You applied. We will tell you if you are selected."), "success")
    return redirect(url_for("trials.show", trial_id=trial.id))


@bp.post("/trials/<int:trial_id>/confirm")
@login_required
def confirm(trial_id):
    flash_outcome(lambda: selection.confirm(trial_id, current_user),
                  _("Your place is confirmed. Welcome aboard!"))
    return redirect(url_for("trials.show", trial_id=trial_id))


@bp.post("/trials/<int:trial_id>/decline")
@login_required
def decline(trial_id):
    flash_outcome(lambda: selection.decline(trial_id, current_user),
                  _("You gave your place back; it goes to the next fan."))
    return redirect(url_for("trials.show", trial_id=trial_id))


def _report_page(trial, form, status=200, errors=None, answers=None):
    return render_template("products/trials/report.html", trial=trial, form=form,
                           questions=service.report_asked(trial), errors=errors or {},
                           answers=answers or {}), status


@bp.route("/trials/<int:trial_id>/report", methods=["GET", "POST"])
@login_required
def report(trial_id):
    trial = service.get_trial(trial_id)
    form = ReportForm()
    if request.method == "GET":
        return _report_page(trial, form)
    answers = answers_from(request.form)
    if form.validate_on_submit():
        try:
            reports.file_report(trial.id, current_user, answers, form.public.data,
                                request.files.getlist("photos"))
        except DomainError as error:
            apply_error(form, error)
            return _report_page(trial, form, error.status, {error.field: error.message}, answers)
        flash(_("Thank you: your report is filed."), "success")
        return redirect(url_for("trials.show", trial_id=trial.id))
    return _report_page(trial, form, 422, answers=answers)


@bp.get("/trials/photos/<name>")
def photo(name):
    data, content_type = photos.find(name, current_user)
    response = Response(data, mimetype=content_type)
    response.cache_control.max_age = PHOTO_MAX_AGE
    response.cache_control.private = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/me/trials")
@login_required
def mine():
    return render_template("products/trials/mine.html", rows=service.trials_of(current_user))
