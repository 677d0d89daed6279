"""gunicorn for the benchmarks: the app on a seeded database, and the control app.

Like tests/servers.py: sync workers on 127.0.0.1 and a free port, in a session of
their own, so stopping one ends exactly the processes it started. Workers' memory is
read from /proc (VmRSS) while they still run.
"""

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from .common import DATA, PYTHON, ROOT


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """One gunicorn master with `workers` sync workers serving `target` (module:app)."""

    def __init__(self, target, env=None, workers=4, name="app", extra_args=(), cwd=ROOT):
        """`cwd` is the folder gunicorn starts in (bench/curve.py's hosts each have one)."""
        self.target, self.env, self.workers, self.name = target, env, workers, name
        self.cwd = cwd
        self.extra_args = list(extra_args)
        self.process = self.port = self.log = None

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, ready_path="/", timeout=60):
        self.port = free_port()
        DATA.mkdir(parents=True, exist_ok=True)
        self.log = Path(DATA / f"gunicorn-{self.name}.log")
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [PYTHON, "-m", "gunicorn", "--workers", str(self.workers),
                 "--worker-class", "sync", "--bind", f"127.0.0.1:{self.port}",
                 "--graceful-timeout", "5", "--timeout", "60",
                 # gunicorn.conf.py recycles workers every ~10,000 requests (production's
                 # leak guard): mid-run that reset the CPU counters and reloaded the search.
                 "--max-requests", "0", *self.extra_args, self.target],
                cwd=self.cwd, env=self.env or dict(os.environ), stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn {self.name} exited:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.base + ready_path, timeout=30) as answer:
                    answer.read()
                if len(self.worker_pids()) >= self.workers:
                    return self.base
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn {self.name} did not start:\n{self.log_tail()}")

    def log_tail(self, chars=3000):
        return self.log.read_text(errors="replace")[-chars:] if self.log else ""

    def worker_pids(self):
        """The master's children, from /proc."""
        if self.process is None:
            return []
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def worker_rss_mb(self):
        """{pid: resident memory in MB} of each worker."""
        found = {}
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmRSS:"):
                    found[pid] = round(int(line.split()[1]) / 1024, 1)
        return found

    def cpu_seconds(self):
        """User + system CPU time the workers have used so far (from /proc/<pid>/stat).

        CPU per request hardly depends on what else the machine runs, unlike req/s,
        so it backs the ratios on a shared machine.
        """
        tick = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for pid in self.worker_pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        return total

    def stop(self):
        """TERM the master (it stops its workers), then KILL our own group if it lingers."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def app_server(env, workers=4, name="app"):
    return Gunicorn("app:app", env=env, workers=workers, name=name)


def control_server(workers=4):
    return Gunicorn("bench.control_app:app", workers=workers, name="control")
