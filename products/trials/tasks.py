"""Trials' periodic job: testers whose report is due soon are reminded, once each."""

from community.kernel import jobs

from . import mail


@jobs.periodic("trials.report_reminders", minute="17")
def report_reminders():
    return f"{mail.queue_reminders()} reminders queued"
