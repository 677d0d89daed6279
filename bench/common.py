"""What the bench scripts share: paths, database URLs, sidecars, the app, a progress bar,
and a description of the machine for RESULTS.md.

Scripts import this as `bench.common` after dropping bench/ from sys.path (bench/http.py
would otherwise shadow the standard library's http).
"""

import json
import os
import platform
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DATA = BENCH / ".data"
PYTHON = sys.executable
# One password for every seeded account, hashed once (pbkdf2 with few rounds: cheap sign-ins).
PASSWORD = "bench-pass-2026"
PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
SECRET_KEY = "bench-secret-not-for-production"


def database_url(name):
    """FANFORGE_DATABASE_URL when set (PostgreSQL), else an SQLite file under bench/.data."""
    url = os.environ.get("FANFORGE_DATABASE_URL")
    if url:
        return url
    DATA.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DATA / name}.sqlite3"


def is_sqlite(url):
    return url.startswith("sqlite")


def sqlite_path(url):
    return Path(make_url(url).database)


def warm_file_cache(url):
    """Read a SQLite database file once, so the OS holds all of it as a running server's
    would: a freshly seeded file is only partly cached here, and a write that lands on
    an index page that is not (a vote's ledger rows) measured 5x slower."""
    if not is_sqlite(url):
        return
    for path in (sqlite_path(url), sqlite_path(url).with_name(sqlite_path(url).name + "-wal")):
        if path.exists():
            with open(path, "rb") as file:
                while file.read(1 << 24):
                    pass


def sibling_url(url, suffix):
    """The same server with another database (scaling.py's smaller sizes): name_suffix."""
    parsed = make_url(url)
    if is_sqlite(url):
        path = sqlite_path(url)
        return f"sqlite:///{path.with_name(path.stem + '_' + suffix + path.suffix)}"
    return parsed.set(database=f"{parsed.database}_{suffix}").render_as_string(hide_password=False)


def sidecar_path(url):
    """Where seed.py notes what it wrote (ids, tokens) for the other scripts."""
    if is_sqlite(url):
        return sqlite_path(url).with_suffix(".json")
    parsed = make_url(url)
    DATA.mkdir(parents=True, exist_ok=True)
    return DATA / f"pg-{parsed.host or 'local'}-{parsed.database}.json"


def search_dir(url):
    """The bench database's own whoosh index (never the instance folder's)."""
    path = sidecar_path(url)
    return str(path.with_name(path.stem + "-search"))


def page_cache_dir(url):
    """The bench database's own store of visitors' pages (emptied by each server start)."""
    path = sidecar_path(url)
    return str(path.with_name(path.stem + "-page-cache")) + "/"  # a folder: rmtree empties it


def load_sidecar(url):
    path = sidecar_path(url)
    return json.loads(path.read_text()) if path.exists() else None


def save_sidecar(url, data):
    sidecar_path(url).write_text(json.dumps(data, indent=1, ensure_ascii=False))


def app_config(url, **extra):
    config = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY,
              "RATELIMIT_ENABLED": False, "PASSWORD_HASH_METHOD": PASSWORD_HASH_METHOD,
              "SEARCH_DIR": search_dir(url)}
    config.update(extra)
    return config


def make_app(url, **extra):
    from app import create_app

    return create_app(app_config(url, **extra))


def server_env(url):
    """Environment for gunicorn and the flask CLI on a bench database."""
    env = dict(os.environ)
    env.update({"FANFORGE_DATABASE_URL": url, "FANFORGE_SECRET_KEY": SECRET_KEY,
                "FANFORGE_RATELIMIT_ENABLED": "false",
                "FANFORGE_PASSWORD_HASH_METHOD": PASSWORD_HASH_METHOD,
                "FANFORGE_SEARCH_DIR": search_dir(url),
                "FANFORGE_CACHE_URL": "file://" + page_cache_dir(url)})
    return env


class Progress:
    """A one-line progress bar on stderr: `label [#####.....] 52% 520,000/1,000,000 3.1s`."""

    def __init__(self, label, total, enabled=True):
        self.label, self.total, self.done = label, max(total, 1), 0
        self.enabled = enabled and sys.stderr.isatty()
        self.start = self.last = time.monotonic()

    def add(self, n):
        self.done += n
        now = time.monotonic()
        if self.enabled and (now - self.last > 0.2 or self.done >= self.total):
            self.last = now
            self._draw(now)

    def _draw(self, now):
        share = min(self.done / self.total, 1.0)
        bar = "#" * int(share * 30)
        sys.stderr.write(f"\r  {self.label:<22} [{bar:<30}] {share:4.0%} "
                         f"{self.done:,}/{self.total:,} {now - self.start:5.1f}s")
        sys.stderr.flush()

    def close(self):
        elapsed = time.monotonic() - self.start
        if self.enabled:
            sys.stderr.write("\r" + " " * 100 + "\r")
        print(f"  {self.label:<22} {self.done:>10,} rows {elapsed:7.1f}s", flush=True)
        return elapsed


def git(*args):
    """Read-only git, for the commit a result belongs to."""
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                              timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine():
    """Cores, memory, CPU, versions and the commit, for the head of RESULTS.md."""
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    total = re.search(r"MemTotal:\s+(\d+)", meminfo)
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"model name\s*:\s*(.+)", cpuinfo)
    changed = [line for line in git("status", "--porcelain").splitlines() if line.strip()]
    return {
        "cores": os.cpu_count(),
        "memory_gb": round(int(total.group(1)) / 1024 / 1024, 1) if total else None,
        "cpu": model.group(1).strip() if model else platform.processor(),
        "load": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "commit": git("rev-parse", "--short", "HEAD"),
        "dirty_files": len(changed),
    }
