"""Real gunicorn servers for the concurrency and browser tests."""

import contextlib
import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


class Forked:
    """A process forked by the zygote: not our child, so alive is what signal 0 says, and
    its exit code is what it wrote beside its log (-SIGKILL if it wrote none: killed)."""

    def __init__(self, pid, log):
        self.pid = pid
        self.exit_file = Path(f"{log}.exit")
        self.returncode = None

    def poll(self):
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            self.returncode = (int(self.exit_file.read_text()) if self.exit_file.exists()
                               else -signal.SIGKILL)
            return self.returncode
        return None

    def wait(self, timeout=10):
        deadline = time.monotonic() + timeout
        while self.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.returncode

    def kill(self):
        """SIGKILL to it and the session it leads (a gunicorn's workers, a worker's threads)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)


class Zygote:
    """tests/zygote.py, started once per test process: it forks each live server from
    an interpreter that has already imported the app's code (saves ~3 s a server)."""

    _lock = threading.Lock()
    _process = None

    @classmethod
    def spawn(cls, argv, env, cwd, log, program="gunicorn"):
        """Start `program` (gunicorn, flask or a script's path) with `argv`, in `cwd` with
        `env` alone, its output appended to `log`; returns its Forked."""
        with cls._lock:
            if cls._process is None or cls._process.poll() is not None:
                cls._process = subprocess.Popen(
                    [sys.executable, str(ROOT / "tests" / "zygote.py")], cwd=ROOT,
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
                json.loads(cls._process.stdout.readline())  # ready
            cls._process.stdin.write(json.dumps(
                {"argv": argv, "env": env, "cwd": str(cwd), "log": str(log),
                 "program": str(program)}) + "\n")
            cls._process.stdin.flush()
            return Forked(json.loads(cls._process.stdout.readline())["pid"], log)


def run_warm(program, argv, env, cwd, log, timeout=120):
    """`program argv` run to its end in a warm fork (Zygote.spawn); returns (exit code,
    what it printed, stdout and stderr together)."""
    process = Zygote.spawn(argv, env, cwd, log, program=program)
    if process.wait(timeout) is None:
        process.kill()
        raise TimeoutError(f"{program} {' '.join(argv)} ran past {timeout} s")
    return process.returncode, Path(log).read_text(errors="replace")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServers:
    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.processes = []

    def start(self, database_url, workers=4, env=None, threads=1, cwd=ROOT):
        """Serve the app on a free port with `workers` processes; returns the base URL.
        `cwd` is the folder gunicorn starts in: the app's root and instance folder are
        where it finds app.py (a host_folder() has its own instance folder)."""
        port = free_port()
        database_key = hashlib.sha256(database_url.encode()).hexdigest()[:12]
        environ = dict(os.environ)
        environ.update({
            "FANFORGE_DATABASE_URL": database_url,
            "FANFORGE_SECRET_KEY": "live-test-secret",
            "FANFORGE_RATELIMIT_ENABLED": "false",
            "FANFORGE_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            # Visitors' pages cached in files shared by this database's workers only.
            "FANFORGE_CACHE_URL": f"file://{self.tmp_path}/page-cache-{database_key}",
            # Links the site hands out (a payment's way back) lead to this server.
            "FANFORGE_SITE_URL": f"http://127.0.0.1:{port}",
            # Load and race tests post as new accounts, often the same text: spam screens
            # off, as in TEST_CONFIG.
            "FANFORGE_SPAM_FIRST_POSTS_HELD": "0",
            "FANFORGE_SPAM_COPIES_ALLOWED": "0",
        })
        environ.update(env or {})
        process = Zygote.spawn(
            ["--workers", str(workers), "--threads", str(threads), "--bind", f"127.0.0.1:{port}",
             "--graceful-timeout", "5", "--preload", "app:app"],
            environ, cwd, self.tmp_path / f"gunicorn-{port}.log")
        self.processes.append(process)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log_text(port)}")
            try:
                requests.get(base + "/", timeout=5)
                return base
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not start: {self.log_text(port)}")

    def log_text(self, port):
        return (self.tmp_path / f"gunicorn-{port}.log").read_text(errors="replace")[-3000:]

    def stop_all(self):
        # The tests have read what they need; gunicorn's own shutdown takes ~3 s.
        for process in self.processes:
            process.kill()
            process.wait()
        self.processes.clear()


def host_folder(folder):
    """A folder that looks like a checkout to a process started in it (every entry of the
    repository linked in) but has its own empty instance folder: another host's disk."""
    folder.mkdir(parents=True)
    for entry in ROOT.iterdir():
        if entry.name not in ("instance", ".git", ".pytest_cache", ".ruff_cache"):
            (folder / entry.name).symlink_to(entry)
    (folder / "instance").mkdir()
    return folder


def csrf_token(html):
    """The token a browser sends from this page: a member's page carries it for scripts
    (<meta name="csrf-token">); a form carries its own (the sign-in page's); a visitor's
    stored page has none (None)."""
    found = (re.search(r'name="csrf-token" content="([^"]+)"', html)
             or re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html))
    return found.group(1) if found else None


def http_login(base, username, password):
    """A requests.Session signed in through the real form, with its CSRF token."""
    session = requests.Session()
    token = csrf_token(session.get(base + "/login", timeout=10).text)
    response = session.post(base + "/login", data={"login": username, "password": password,
                                                   "csrf_token": token}, timeout=10,
                            allow_redirects=False)
    assert response.status_code == 302, response.text[:500]
    session.csrf = csrf_token(session.get(base + "/", timeout=10).text)
    return session
