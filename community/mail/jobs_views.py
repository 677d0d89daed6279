"""The staff jobs page: mail in the outbox, failed mail to retry, the periodic jobs' last runs."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import ngettext

from ..kernel import jobs
from ..web.roles import staff_required
from . import outbox

bp = Blueprint("jobs", __name__)


@bp.get("/staff/jobs")
@staff_required
def index():
    return render_template("community/jobs/index.html", counts=outbox.counts(),
                           failed=outbox.failed_rows(), runs=jobs.last_runs(),
                           schedules={name: job.schedule for name, job in jobs.JOBS.items()})


@bp.post("/staff/jobs/mail/retry")
@staff_required
def retry():
    ids = request.form.getlist("id", type=int)
    retried = outbox.retry(ids or None)
    flash(ngettext("%(num)d mail queued again.", "%(num)d mails queued again.", retried),
          "success")
    return redirect(url_for("jobs.index"))
