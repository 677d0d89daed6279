"""Closed-loop HTTP load: N clients, each sending its next request when the last answers.

Reads go through wrk when it is installed (`apt-get install -y wrk`): it costs the
2-core machine far less CPU than a Python client, so the control app's figure is the
server's and not the client's. The Python client (threads + http.client) is the
fallback for reads and always drives the write APIs, because a write test must know
the answer to every request it sent: at the deadline each client finishes the request
in flight, so "2xx answers" and "rows written" can be compared exactly.
"""

import http.client
import json
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

WRK_SCRIPT = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK_JSON {\"requests\": %d, \"duration_us\": %d, \"connect\": %d, \"read\": %d, " ..
    "\"write\": %d, \"status\": %d, \"timeout\": %d, \"p50\": %d, \"p99\": %d, \"max\": %d}\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
"""


@dataclass
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int = 0  # connection errors and timeouts
    non_2xx: int = 0
    statuses: Counter = field(default_factory=Counter)
    tool: str = "python"
    cpu_ms: float = 0.0  # the server's CPU per request, when the caller measured it

    @property
    def rps(self):
        return self.requests / self.seconds if self.seconds else 0.0

    def as_dict(self):
        return {"requests": self.requests, "seconds": round(self.seconds, 2),
                "rps": round(self.rps, 1), "p50_ms": round(self.p50_ms, 2),
                "p99_ms": round(self.p99_ms, 2), "errors": self.errors, "non_2xx": self.non_2xx,
                "statuses": dict(self.statuses), "tool": self.tool, "cpu_ms": self.cpu_ms}


def have_wrk():
    return shutil.which("wrk") is not None


def run_wrk(url, clients, seconds, headers=None, threads=2):
    """wrk -c clients for `seconds`; 3xx counts as success, 4xx/5xx as non_2xx."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    command = ["wrk", "-t", str(min(threads, clients)), "-c", str(clients), "-d", f"{max(1, round(seconds))}s",
               "--timeout", "10s", "-s", script.name]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run(command + [url], capture_output=True, text=True, timeout=seconds + 60)
    line = next((x for x in out.stdout.splitlines() if x.startswith("WRK_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed: {out.stdout}\n{out.stderr}")
    data = json.loads(line[len("WRK_JSON "):])
    return Result(requests=data["requests"], seconds=data["duration_us"] / 1e6,
                  p50_ms=data["p50"] / 1000, p99_ms=data["p99"] / 1000,
                  errors=data["connect"] + data["read"] + data["write"] + data["timeout"],
                  non_2xx=data["status"], tool="wrk")


def send(conn, method, path, body=None, headers=None):
    """One request on a keep-alive-capable connection; returns (status, body bytes)."""
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    return response.status, response.read()


def run_python(base, make_request, clients, seconds, on_answer=None):
    """Closed loop: make_request(client, n) -> (method, path, body, headers) or None to stop.

    on_answer(request, status, body) sees every answer. Returns a Result.
    """
    parts = urlsplit(base)
    latencies, statuses, errors = [], Counter(), [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(index):
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        mine, n = [], 0
        while time.monotonic() < deadline:
            request = make_request(index, n)
            n += 1
            if request is None:
                break
            method, path, body, headers = request
            start = time.perf_counter()
            try:
                status, payload = send(conn, method, path, body, headers)
            except (OSError, http.client.HTTPException):
                conn.close()
                with lock:
                    errors[0] += 1
                continue
            mine.append(time.perf_counter() - start)
            with lock:
                statuses[status] += 1
            if on_answer:
                on_answer(request, status, payload)
        conn.close()
        with lock:
            latencies.extend(mine)

    began = time.monotonic()
    workers = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - began
    latencies.sort()
    return Result(requests=len(latencies), seconds=elapsed,
                  p50_ms=1000 * statistics.median(latencies) if latencies else 0.0,
                  p99_ms=1000 * latencies[int(len(latencies) * 0.99) - 1] if latencies else 0.0,
                  errors=errors[0], statuses=statuses,
                  non_2xx=sum(n for s, n in statuses.items() if not 200 <= s < 400))


def run_get(base, path, clients, seconds, headers=None, tool="auto"):
    """GET one path with the chosen tool (auto: wrk when installed)."""
    if tool == "wrk" or (tool == "auto" and have_wrk()):
        return run_wrk(base + path, clients, seconds, headers)
    return run_python(base, lambda _c, _n: ("GET", path, None, headers or {}), clients, seconds)
