"""Staff pages: opening a trial, and running one (applicants, shortlist, selection, the
draw and its log, the reports' summary, a report turned into an idea)."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.kernel.clock import local_to_utc
from community.kernel.errors import DomainError
from community.web.http import apply_error, flash_outcome
from community.web.roles import staff_required

from ..catalog import catalog
from . import reports, selection, service
from .forms import DrawForm, TrialForm

bp = Blueprint("trials_staff", __name__)


@bp.route("/staff/products/<slug>/trials/new", methods=["GET", "POST"])
@staff_required
def new(slug):
    product = catalog.get_product(slug)
    form = TrialForm()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                trial = service.create_trial(
                    product, current_user, form.title.data, form.description.data,
                    form.places.data, local_to_utc(form.apply_by.data),
                    local_to_utc(form.report_due.data), form.min_level.data,
                    form.verified_required.data, form.cocreators_first.data,
                    form.questions.data, form.report_questions.data)
            except DomainError as error:
                apply_error(form, error)
            else:
                flash(_("The trial is open for applications."), "success")
                return redirect(url_for("trials_staff.manage", trial_id=trial.id))
        return render_template("products/trials/new.html", product=product, form=form), 422
    return render_template("products/trials/new.html", product=product, form=form)


@bp.get("/staff/trials/<int:trial_id>")
@staff_required
def manage(trial_id):
    trial = service.get_trial(trial_id)
    return render_template(
        "products/trials/manage.html", trial=trial, applications=service.applications(trial),
        answers_of=service.answers_of, questions=service.asked(trial),
        free=selection.free_places(trial.id), draws=selection.draws(trial.id),
        draw_form=DrawForm(formdata=None), summary=reports.summary(trial),
        reports=reports.reports(trial.id, public_only=False))


def _back(trial_id, anchor=None):
    return redirect(url_for("trials_staff.manage", trial_id=trial_id, _anchor=anchor))


@bp.post("/staff/trials/<int:trial_id>/applications/<int:application_id>/shortlist")
@staff_required
def shortlist(trial_id, application_id):
    flash_outcome(lambda: selection.shortlist(trial_id, current_user, application_id),
                  _("Shortlisted."))
    return _back(trial_id, "applications")


@bp.post("/staff/trials/<int:trial_id>/applications/<int:application_id>/select")
@staff_required
def select(trial_id, application_id):
    flash_outcome(lambda: selection.select_by_hand(trial_id, current_user, [application_id]),
                  _("Selected: the fan is told and confirms."))
    return _back(trial_id, "applications")


@bp.post("/staff/trials/<int:trial_id>/draw")
@staff_required
def run_draw(trial_id):
    form = DrawForm()
    if form.validate_on_submit():
        flash_outcome(lambda: selection.run_draw(trial_id, current_user, form.seed.data),
                      lambda logged: _("Drawn with seed %(seed)s.", seed=logged.seed))
    return _back(trial_id, "draws")


@bp.post("/staff/trials/<int:trial_id>/reports/<int:trial_report_id>/idea")
@staff_required
def to_idea(trial_id, trial_report_id):
    idea = flash_outcome(lambda: reports.to_idea(trial_id, current_user, trial_report_id),
                         _("The report is an idea now, credited to its tester."))
    if idea is not None:
        return redirect(url_for("ideas.show", idea_id=idea.id))
    return _back(trial_id, "reports")
