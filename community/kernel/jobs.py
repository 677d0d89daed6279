"""The task queue: Huey says "go and look", the database holds the work.

Each package's tasks.py registers plain functions here, which do their work from the
database (outbox rows, due rounds, due campaigns):

    @jobs.task("mail.send", on_start=True)          # on demand, and when a worker starts
    @jobs.periodic("rounds.close_due", minute="*")  # on a schedule (crontab fields, UTC)

So a lost queue message or a dead worker delays work and never loses it, and every job
is safe to run twice. `flask --app app worker` runs them all: queued tasks in threads,
and the schedule. Several workers may run at once; each scheduled minute of a periodic
job runs once, whichever worker claims it in `job_runs` first (which also keeps the
last outcome for the staff page).

The queue is Huey's SQLite store in the instance folder by default (no server) and
Redis when FANFORGE_QUEUE_URL=redis://... (several hosts). It is built on first use,
so creating the app opens nothing.
"""

import logging
import math
import os
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import click
from flask import current_app
from flask.cli import with_appcontext
from huey import MemoryHuey, RedisHuey, SqliteHuey, crontab
from redis import ConnectionPool
from sqlalchemy import String, event, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from .database import insert_ignore, transaction, utcnow
from .dependencies import private_table
from .extensions import db

log = logging.getLogger(__name__)
EXTENSION = "fanforge_jobs"
_KICKS = "fanforge_kicks"  # session.info: tasks to enqueue once the transaction commits


@dataclass(frozen=True)
class Job:
    name: str
    func: object
    schedule: dict = field(default_factory=dict)  # crontab fields; empty: on demand only
    on_start: bool = False


JOBS = {}


def task(name, on_start=False):
    """Register an on-demand task, run by `kick(name)` (and at worker start if on_start)."""
    def register(func):
        JOBS[name] = Job(name, func, on_start=on_start)
        return func
    return register


def periodic(name, **schedule):
    """Register a periodic job: crontab fields (minute, hour, day, ...) in UTC."""
    def register(func):
        JOBS[name] = Job(name, func, schedule=schedule)
        return func
    return register


class JobRun(db.Model):
    """The last run of each periodic job. `tick` is the scheduled minute last claimed:
    the conditional UPDATE on it lets one worker run a minute that several schedulers fired."""

    __tablename__ = "job_runs"
    __table_args__ = private_table()

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    tick: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    outcome: Mapped[str] = mapped_column(String(8), default="", server_default="")
    detail: Mapped[str] = mapped_column(String(500), default="", server_default="")


def run_periodic(name, now=None):
    """Run a periodic job for this minute unless another worker already has; record the
    outcome. Returns the job's result, or None when skipped or failed."""
    job = JOBS[name]
    tick = (now or utcnow()).replace(second=0, microsecond=0)
    with transaction():
        insert_ignore(JobRun, name=name, outcome="", detail="")
        claimed = db.session.execute(
            update(JobRun).where(JobRun.name == name, or_(JobRun.tick.is_(None), JobRun.tick < tick))
            .values(tick=tick, started_at=utcnow(), finished_at=None, outcome="running")
        ).rowcount
    if not claimed:
        return None
    try:
        result = job.func()
    except Exception as error:
        db.session.rollback()
        current_app.logger.exception("job %s failed", name)
        _finish(name, "error", f"{type(error).__name__}: {error}")
        return None
    _finish(name, "ok", "" if result is None else str(result))
    return result


def _finish(name, outcome, detail):
    with transaction():
        db.session.execute(update(JobRun).where(JobRun.name == name).values(
            finished_at=utcnow(), outcome=outcome, detail=detail[:500]))


def last_runs():
    """{name: JobRun or None} for every periodic job, for the staff page."""
    runs = {run.name: run for run in db.session.scalars(select(JobRun))}
    return {name: runs.get(name) for name, job in sorted(JOBS.items()) if job.schedule}


# ---- the queue -------------------------------------------------------------

class _State:
    def __init__(self):
        self.lock = threading.Lock()
        self.huey = None
        self.tasks = {}
        self.wake_lock = threading.Lock()
        self.wakes = {}  # task name -> when this process's pending wake-up of it is due


def queue(app=None):
    """(huey, {name: task}) for the app, built on first use."""
    app = app or current_app._get_current_object()
    state = app.extensions[EXTENSION]
    with state.lock:
        if state.huey is None:
            state.huey = _build_huey(app)
            state.tasks = _register(app, state.huey)
    return state.huey, state.tasks


def _build_huey(app):
    url, name = app.config["QUEUE_URL"], app.config["QUEUE_NAME"]
    if url.startswith(("redis://", "rediss://", "unix://")):
        # A frozen Redis must not hold a request's after-commit kick (or a worker) for ever;
        # the consumer's blocking read waits 1 s, well inside QUEUE_TIMEOUT.
        timeout = app.config["QUEUE_TIMEOUT"]
        pool = ConnectionPool.from_url(url, socket_timeout=timeout,
                                       socket_connect_timeout=timeout)
        return RedisHuey(name, connection_pool=pool, results=False)
    if url == "memory://":  # tests: nothing consumes it unless a test does
        return MemoryHuey(name, results=False)
    path = url.removeprefix("sqlite:///") or os.path.join(app.instance_path, "queue.sqlite3")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    return SqliteHuey(name, filename=path, results=False)


def _register(app, huey):
    tasks = {}
    for job in JOBS.values():
        if job.schedule:
            runner = _in_app(app, run_periodic, job.name)
            tasks[job.name] = huey.periodic_task(crontab(**job.schedule), name=job.name)(runner)
        else:
            tasks[job.name] = huey.task(name=job.name)(_on_demand(app, job))
    return tasks


def _on_demand(app, job):
    def run(woken_for=None):
        if woken_for is not None:  # this process's wake-up: the next one may be asked for
            _forget_wake(app.extensions[EXTENSION], job.name, woken_for)
        with app.app_context():
            return job.func()
    return run


def _in_app(app, func, *args):
    def run():
        with app.app_context():
            return func(*args)
    return run


def kick(name, delay=None):
    """Ask a worker to run task `name` (after `delay` seconds, rounded up). A queue that
    is down or frozen only delays the work: the periodic sweeps find it in the database,
    so the failure is logged and never raised (a kick after a commit must not turn the
    saved write into an error). Returns whether the queue took it."""
    return _enqueue(name, delay)


def wake(name, at):
    """Ask a worker to run task `name` once `at` (naive UTC) has passed, never before: the
    delay is rounded up to whole seconds, at least one. A process keeps one wake-up per
    task pending; an ask is dropped while one is pending that comes no later (within the
    second rounding adds), since that run asks again for whatever is still ahead. The woken
    run forgets its wake-up as it starts, so a run that finds nothing due (another worker
    took it, or the clocks of two hosts differ) still asks for the next one."""
    state = current_app.extensions[EXTENSION]
    now = utcnow()
    seconds = max(1, math.ceil((at - now).total_seconds()))
    eta = now + timedelta(seconds=seconds)
    with state.wake_lock:
        pending = state.wakes.get(name)
        if pending is not None and now < pending < eta + timedelta(seconds=1):
            return
        state.wakes[name] = eta
    if not _enqueue(name, seconds, woken_for=eta.isoformat()):
        _forget_wake(state, name, eta.isoformat())  # the next run may try again


def _forget_wake(state, name, token):
    with state.wake_lock:
        if (pending := state.wakes.get(name)) is not None and pending.isoformat() == token:
            del state.wakes[name]


def _enqueue(name, delay=None, **kwargs):
    try:
        _huey, tasks = queue()
        if delay:
            tasks[name].schedule(kwargs=kwargs, delay=max(1, math.ceil(delay)))
        else:
            tasks[name](**kwargs)
    except Exception as error:
        log.warning("could not enqueue %s (%s: %s); the schedule will pick the work up",
                    name, type(error).__name__, error)
        return False
    return True


def kick_after_commit(name):
    """kick(name) once the current transaction commits (nothing if it rolls back), so a
    worker never looks before the rows it should find are there."""
    db.session.info.setdefault(_KICKS, set()).add(name)


def _after_commit(session):
    for name in sorted(session.info.pop(_KICKS, ())):
        kick(name)


def _after_rollback(session):
    session.info.pop(_KICKS, None)


# ---- the worker ------------------------------------------------------------

@click.command("worker")
@click.option("--threads", default=2, show_default=True, help="Tasks run at once.")
@click.option("--periodic/--no-periodic", default=True, show_default=True,
              help="Run the schedule too (safe in several workers).")
@with_appcontext
def worker_command(threads, periodic):
    """Run queued and scheduled jobs until stopped (Ctrl-C or SIGTERM)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    huey, _tasks = queue()
    where = current_app.config["QUEUE_URL"] or "the instance folder's SQLite queue"
    click.echo(f"Worker on {where}: {threads} thread(s), schedule {'on' if periodic else 'off'}.")
    for job in JOBS.values():
        if job.on_start:  # work written while no worker ran
            kick(job.name)
    huey.create_consumer(workers=threads, worker_type="thread", periodic=periodic,
                         scheduler_interval=1).run()


def init_app(app):
    app.extensions[EXTENSION] = _State()
    if not event.contains(db.session, "after_commit", _after_commit):
        event.listen(db.session, "after_commit", _after_commit)
        event.listen(db.session, "after_rollback", _after_rollback)
    app.cli.add_command(worker_command)
