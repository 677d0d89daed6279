"""A payments worker for tests/concurrency/test_payments_concurrency.py: a real process
that builds the app from FANFORGE_* (the test's database) and does due payment actions
one at a time, as `flask worker` does, until it is killed.

The dummy gateway answers each refund PAYMENTS_WORKER_REPLY_SECONDS after it made it (a
slow network), from the refund after the first PAYMENTS_WORKER_SLOW_AFTER on: a SIGKILL
then lands after the gateway refunded and before the action was marked done, the window
the idempotency keys are there for, however slow the machine is to look. With
PAYMENTS_WORKER_GO_FILE set, a worker starts working only once that file exists (a
spare, booted ahead, to take over the moment another is killed).
"""

import os
import time
from pathlib import Path

from app import create_app
from community.kernel.extensions import db
from products.payments import runner
from products.payments.providers import dummy

REPLY_SECONDS = float(os.environ.get("PAYMENTS_WORKER_REPLY_SECONDS", "0"))
SLOW_AFTER = int(os.environ.get("PAYMENTS_WORKER_SLOW_AFTER", "0"))
GO_FILE = os.environ.get("PAYMENTS_WORKER_GO_FILE")
_refund = dummy.DummyProvider.refund
_made = [0]  # refunds this process made


def _slow_reply(self, *args, **kwargs):
    events = _refund(self, *args, **kwargs)
    _made[0] += 1
    if _made[0] > SLOW_AFTER:
        time.sleep(REPLY_SECONDS)
    return events


def main():
    dummy.DummyProvider.refund = _slow_reply
    app = create_app()
    with app.app_context():
        print("worker ready", flush=True)
        while GO_FILE and not Path(GO_FILE).exists():
            time.sleep(0.02)
        while True:
            claimed, _done = runner.run_due(limit=1)
            db.session.remove()  # each batch a session of its own, as each job's
            if not claimed:
                time.sleep(0.05)


if __name__ == "__main__":
    main()
