# ruff: noqa: E402  (the sys.path fix below must run before the other imports)
"""Throughput curve on PostgreSQL (issue 26): bench/mixed.py's workload with 1, 2 and 4
gunicorn workers on one host, then two hosts of 2 workers, req/s and p99 per point, and
where the CPU went, to show where it stops scaling and why.

    FANFORGE_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench_small \\
        .venv/bin/python bench/curve.py --scale small        # after bench/seed.py
    ... bench/curve.py --seconds 5 --rate 5 --who visitor

Every point runs as production does with several hosts: the page store and its versions
in Redis (FANFORGE_CACHE_URL=redis://, a key prefix of the point's own, so each starts
cold), uploads and everything else in PostgreSQL; each host is a gunicorn started in a
folder of its own (its own instance folder). For two hosts the readers are split between
them and the writes go to the second, so pages stored by one are made stale by the other.
Per point and kind of reader (visitors, then signed-in fans): 2 s of warm-up, then
--seconds timed, with bench/mixed_writes.py writing at --rate. Before each point the
bare control app (bench/control_app.py) runs with as many workers for half that, as the
machine's speed at that moment (it is shared).

The profile: CPU seconds used during the timed window by the gunicorn workers, by this
database's PostgreSQL backends (pg_stat_activity's pids, read from /proc), by Redis and
by the load client (wrk), each per request answered, beside the whole machine's busy
share (/proc/stat: other processes on the machine count there too). A point is limited
by CPU when the machine is near 100% busy; by the workers' number when it is not.
Results: printed (a markdown table for bench/RESULTS.md) and saved as JSON in
bench/.data/curve-<scale>-pg.json. The job queue is memory:// (no worker runs).
"""

import sys
from pathlib import Path

_BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _BENCH]
sys.path.insert(0, str(_BENCH.parent))

import argparse
import json
import os
import shutil
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import redis
from sqlalchemy import create_engine, text

from bench import mixed_paths, mixed_writes
from bench.common import DATA, PYTHON, ROOT, database_url, is_sqlite, load_sidecar, machine
from bench.common import server_env as bench_env
from bench.loadgen import have_wrk, run_get
from bench.mixed import WRITER_FANS, fan_names, sessions
from bench.mixed_paths import ReadResult
from bench.seed_db import catch_up
from bench.servers import Gunicorn, control_server

POINTS = [("1 worker", 1, 1), ("2 workers", 1, 2), ("4 workers", 1, 4),
          ("2 hosts × 2 workers", 2, 2)]
REDIS_URL = "redis://127.0.0.1:6379/2"
TICK = os.sysconf("SC_CLK_TCK")


def cpu_of(pid):
    """User + system CPU seconds of one process, or None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICK


def machine_busy():
    """(busy, total) jiffies of every core since boot (/proc/stat's first line)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def redis_pid():
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if (proc / "comm").read_text().strip() == "redis-server":
                    return int(proc.name)
            except OSError:
                continue
    return None


class Meter:
    """CPU used between start() and stop() by the app workers, this database's backends
    and Redis, and the machine's busy share."""

    def __init__(self, url, hosts):
        self.engine = create_engine(url)
        self.database = self.engine.url.database
        self.hosts = hosts
        self.redis = redis_pid()

    def backends(self):
        with self.engine.connect() as conn:
            return [pid for (pid,) in conn.execute(text(
                "SELECT pid FROM pg_stat_activity WHERE datname = :d AND pid <> pg_backend_pid()"),
                {"d": self.database})]

    def snapshot(self):
        db = {pid: cpu_of(pid) for pid in self.backends()}
        return {"app": sum(h.cpu_seconds() for h in self.hosts),
                "db": {pid: cpu for pid, cpu in db.items() if cpu is not None},
                "redis": cpu_of(self.redis) if self.redis else 0.0,
                "machine": machine_busy(), "at": time.monotonic()}

    @staticmethod
    def used(before, after):
        db = sum(cpu - before["db"].get(pid, 0.0) for pid, cpu in after["db"].items())
        busy = after["machine"][0] - before["machine"][0]
        total = after["machine"][1] - before["machine"][1]
        return {"app_s": after["app"] - before["app"], "db_s": db,
                "redis_s": (after["redis"] or 0.0) - (before["redis"] or 0.0),
                "machine_busy": busy / total if total else 0.0,
                "wall_s": after["at"] - before["at"]}


def host_folder(parent, name):
    """A folder that looks like the checkout to gunicorn, with an instance folder of its own."""
    folder = Path(parent) / name
    folder.mkdir()
    for entry in ROOT.iterdir():
        if entry.name not in ("instance", ".git"):
            (folder / entry.name).symlink_to(entry)
    (folder / "instance").mkdir()
    return folder


def combined(results):
    """One ReadResult for readers split between hosts: counts add up, the time is the
    longest, and the percentiles are the worse half's (an upper bound)."""
    if len(results) == 1:
        return results[0]
    return ReadResult(
        requests=sum(r.requests for r in results), seconds=max(r.seconds for r in results),
        p50_ms=max(r.p50_ms for r in results), p99_ms=max(r.p99_ms for r in results),
        errors=sum(r.errors for r in results), bad=sum(r.bad for r in results),
        by_kind={k: {f: sum(r.by_kind.get(k, {}).get(f, 0) for r in results)
                     for f in ("answers", "hits", "bad")}
                 for k in {k for r in results for k in r.by_kind}},
        client_cpu_s=sum(r.client_cpu_s for r in results), tool=results[0].tool)


class Curve:
    def __init__(self, args, url, side):
        self.args, self.url, self.side = args, url, side
        self.found = mixed_paths.catalog(url)
        self.folder = tempfile.mkdtemp(prefix="curve-")
        self.draws = 0
        self.rows = []
        self.prefixes = []

    def read(self, bases, who, seconds):
        """Fresh draws per run, the clients split evenly between the hosts."""
        per_host = max(1, self.args.clients // len(bases))

        def one(base):
            self.draws += 1
            drawn = mixed_paths.draw_paths(self.found, per_host * int(max(200, 150 * seconds)),
                                           self.args.zipf, seed=1000 + self.draws)
            if not have_wrk():
                return mixed_paths.run_python_readers(base, drawn, who, per_host, seconds)
            paths = mixed_paths.write_paths(drawn, tempfile.mkdtemp(dir=self.folder))
            return mixed_paths.run_wrk_readers(base, paths, who, per_host, seconds)

        with ThreadPoolExecutor(max_workers=len(bases)) as pool:
            return combined(list(pool.map(one, bases)))

    def control(self, workers):
        """The bare Flask control app with as many workers, for the machine's speed now."""
        with control_server(workers) as control:
            control.start()
            return run_get(control.base, "/", self.args.clients, self.args.seconds / 2,
                           tool="wrk" if have_wrk() else "python").rps

    def point(self, label, host_count, workers):
        self.control_rps = self.control(host_count * workers)
        env = bench_env(self.url)
        prefix = f"fanforge-curve-{uuid.uuid4().hex[:8]}:page:"
        self.prefixes.append(prefix)
        env.update({"FANFORGE_CACHE_URL": REDIS_URL, "FANFORGE_CACHE_KEY_PREFIX": prefix,
                    "FANFORGE_QUEUE_URL": "memory://", "FANFORGE_MEDIA_STORAGE": "database"})
        hosts = [Gunicorn("app:app", env=env, workers=workers, name=f"curve-{i}",
                          cwd=host_folder(self.folder, f"point{len(self.prefixes)}-host{i}"))
                 for i in range(host_count)]
        try:
            for host in hosts:
                host.start("/login")
            bases = [h.base for h in hosts]
            names = fan_names(self.url, [uid for uid, _t in self.side["tokens"]])
            fans = [f["headers"] for f in sessions(bases[0], names[:16])]
            planner = mixed_writes.Planner(self.url, self.side,
                                           sessions(bases[0], names[-WRITER_FANS:]), self.args.zipf)
            meter = Meter(self.url, hosts)
            for who_name, who in (("visitor", []), ("fan", fans)):
                if who_name in self.args.who:
                    self.phase(label, host_count, workers, bases, planner, meter, who_name, who)
            meter.engine.dispose()
        finally:
            for host in hosts:
                host.stop()

    def phase(self, label, host_count, workers, bases, planner, meter, who_name, who):
        args = self.args
        seconds = args.warmup + args.seconds
        writer = None
        if args.rate:
            plan = planner.plan(args.rate, seconds)
            plan_file = os.path.join(self.folder, "plan.json")
            with open(plan_file, "w") as out:  # writes to the last host: A stores, B writes
                json.dump({"base": bases[-1], "rate": args.rate, "seconds": seconds,
                           "requests": plan}, out)
            writer = mixed_writes.start_writer(plan_file, os.path.join(self.folder, "answers.json"),
                                               PYTHON)
        if args.warmup:
            self.read(bases, who, args.warmup)
        before = meter.snapshot()
        result = self.read(bases, who, args.seconds)
        used = Meter.used(before, meter.snapshot())
        if writer is not None:
            writer.wait()
        n = max(result.requests, 1)
        row = {"point": label, "hosts": host_count, "workers": workers, "who": who_name,
               "rate": args.rate, **result.as_dict(), "control_rps": round(self.control_rps, 1),
               "ratio": round(result.rps / self.control_rps, 3) if self.control_rps else 0.0,
               "app_cpu_ms": round(1000 * used["app_s"] / n, 2),
               "db_cpu_ms": round(1000 * used["db_s"] / n, 2),
               "redis_cpu_ms": round(1000 * used["redis_s"] / n, 3),
               "client_cpu_ms": round(1000 * result.client_cpu_s / n, 2),
               "app_cores": round(used["app_s"] / used["wall_s"], 2),
               "db_cores": round(used["db_s"] / used["wall_s"], 2),
               "client_cores": round(result.client_cpu_s / used["wall_s"], 2),
               "machine_busy": round(used["machine_busy"], 3)}
        self.rows.append(row)
        print("  " + line(row), flush=True)

    def run(self):
        try:
            for label, host_count, workers in POINTS:
                if label in self.args.points:
                    self.point(label, host_count, workers)
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
            store = redis.Redis.from_url(REDIS_URL)
            for prefix in self.prefixes:  # the points' stored pages
                for key in store.scan_iter(match=prefix + "*", count=1000):
                    store.delete(key)
        return self.rows


def line(row):
    return (f"{row['point']:<22} {row['who']:<8} {row['rps']:7.1f} req/s "
            f"({row['ratio']:.3f} of control {row['control_rps']:.0f})  p50 "
            f"{row['p50_ms']:6.1f}  p99 {row['p99_ms']:7.1f} ms  hits {row['hit_share']:.0%}  "
            f"CPU ms/req app {row['app_cpu_ms']:.2f} db {row['db_cpu_ms']:.2f} "
            f"client {row['client_cpu_ms']:.2f}  machine busy {row['machine_busy']:.0%}  "
            f"{row['bad']} bad {row['errors']} errors")


def table(rows):
    lines = ["| point | readers | req/s | control req/s | p50 ms | p99 ms | page-cache hits | "
             "CPU ms/req: app / PostgreSQL / Redis / load client | cores busy: app / PostgreSQL"
             " / client | machine busy |", "|---|---|---:|---:|---:|---:|---:|---|---|---:|"]
    for r in rows:
        lines.append(
            f"| {r['point']} | {r['who']} | {r['rps']:.0f} | {r['control_rps']:.0f} | "
            f"{r['p50_ms']:.1f} | "
            f"{r['p99_ms']:.1f} | {r['hit_share']:.0%} | {r['app_cpu_ms']:.2f} / "
            f"{r['db_cpu_ms']:.2f} / {r['redis_cpu_ms']:.3f} / {r['client_cpu_ms']:.2f} | "
            f"{r['app_cores']:.2f} / {r['db_cores']:.2f} / {r['client_cores']:.2f} | "
            f"{r['machine_busy']:.0%} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--scale", default="small", help="the seeded database (default small)")
    parser.add_argument("--database-url", help="default: FANFORGE_DATABASE_URL")
    parser.add_argument("--seconds", type=float, default=8, help="timed seconds per phase")
    parser.add_argument("--warmup", type=float, default=2, help="seconds before each phase")
    parser.add_argument("--rate", type=float, default=5, help="writes/s during reads (default 5)")
    parser.add_argument("--clients", type=int, default=16, help="reader connections in all")
    parser.add_argument("--who", type=lambda s: s.split(","), default=["visitor", "fan"])
    parser.add_argument("--points", type=lambda s: s.split(","), default=[p[0] for p in POINTS],
                        help="which points, by label")
    parser.add_argument("--zipf", type=float, default=1.0, help="exponent s of 1/rank^s")
    args = parser.parse_args(argv)
    url = args.database_url or database_url(args.scale)
    if is_sqlite(url):
        raise SystemExit("The curve is for PostgreSQL: set FANFORGE_DATABASE_URL "
                         "(several hosts cannot share an SQLite file).")
    side = load_sidecar(url)
    if side is None:
        raise SystemExit(f"No seeded database at {url}: run bench/seed.py --scale {args.scale}")
    for change in catch_up(url):
        print(f"  caught up with the models: {change}")
    print(f"Throughput curve on {url} ({side['scale']}), {args.clients} readers, "
          f"{args.warmup:g}+{args.seconds:g} s a phase, {args.rate:g} writes/s", flush=True)
    began = time.monotonic()
    rows = Curve(args, url, side).run()
    results = {"rows": rows, "scale": side["scale"], "url": url, "clients": args.clients,
               "seconds": args.seconds, "rate": args.rate, "machine": machine(),
               "wall_seconds": round(time.monotonic() - began, 1)}
    DATA.mkdir(exist_ok=True)
    (DATA / f"curve-{side['scale']}-pg.json").write_text(json.dumps(results, indent=1,
                                                                    ensure_ascii=False))
    print(table(rows))
    print(f"\n{results['wall_seconds']:.0f} s in all; machine {results['machine']}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
