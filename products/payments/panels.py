"""The payments section of the staff jobs page: actions waiting, and those that failed."""

from . import actions


def on_staff_jobs(_obj, _viewer):
    return "products/payments/_jobs_panel.html", {"counts": actions.counts(),
                                                   "failed": actions.failed_rows()}
