"""Payments' jobs: unpaid holds expire, actions move money, reconcile asks the providers."""

from community.kernel import jobs

from . import actions, mail, reservations, runner


@jobs.task(actions.KICK, on_start=True)
@jobs.periodic("payments.run_actions_due", minute="*")
def run_actions():
    done = 0
    while True:
        claimed, batch_done = runner.run_due()
        done += batch_done
        if not claimed:
            return f"{done} done"


@jobs.periodic("payments.expire_unpaid", minute="*")
def expire_unpaid():
    return f"{reservations.expire_unpaid()} released"


@jobs.periodic("payments.balance_reminders", minute="7")
def balance_reminders():
    return f"{mail.queue_reminders()} reminders queued"


@jobs.periodic("payments.reconcile", minute="*/5")
def reconcile():
    return f"{reservations.reconcile()} orders updated"
