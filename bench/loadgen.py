"""Closed-loop HTTP load: N clients, each sending its next request when the last answers.

Loads go through wrk when it is installed (`apt-get install -y wrk`): it costs the
2-core machine far less CPU than a Python client, so the figures are the server's and
not the client's. A write test must know the answer to every request it sent: wrk runs
one connection per thread for writes, so each thread knows which request each answer
is to, and reports them; the few requests cut off at the deadline (one per connection
at most) are looked up afterwards. The Python client (threads + http.client) is the
fallback; at its deadline each client finishes the request in flight.
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


# Writes through wrk: one connection per thread, so a thread's k-th answer is to its k-th
# request (no pipelining) and every answer is known by request. Requests come from a
# file, thread t taking lines t, t + T, t + 2T, ...; each thread reports its statuses.
WRK_WRITES_SCRIPT = r"""
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function init(args)
  local count, i = tonumber(args[1]), 0
  reqs, answers, sent, answered = {}, {}, 0, 0
  for line in io.lines(args[2]) do
    if i % count == tid then
      local fields = {}
      for field in (line .. "\t"):gmatch("([^\t]*)\t") do fields[#fields + 1] = field end
      local headers = {}
      for k = 4, #fields do
        local name, value = fields[k]:match("^([^:]+): (.*)$")
        headers[name] = value
      end
      reqs[#reqs + 1] = wrk.format(fields[1], fields[2], headers,
                                   fields[3] ~= "" and fields[3] or nil)
    end
    i = i + 1
  end
end
-- wrk asks thread 0 for one request it only parses: a request is known as sent when
-- its answer comes (the last one asked for) or when time runs out (in flight).
function request()
  sent = sent + 1
  return reqs[sent] or reqs[#reqs]
end
function response(status, headers, body)
  answers[#answers + 1] = sent .. ":" .. status
  answered = sent
end
done = function(summary, latency, requests)
  for _, t in ipairs(threads) do
    local last = t:get("answered") == t:get("sent") and 0 or t:get("sent")
    io.write(string.format("WRK_THREAD %d %d %s\n", t:get("tid"), last,
                           table.concat(t:get("answers"), ",")))
  end
  local e = summary.errors
  io.write(string.format("WRK_LATENCY %d %d %d %d\n", summary.duration,
                         latency:percentile(50), latency:percentile(99),
                         e.connect + e.read + e.write + e.timeout))
end
"""


def run_wrk_requests(base, requests, clients, seconds):
    """Send `requests` [(method, path, body, headers)] in order over `clients` connections
    with wrk. Returns (Result, answers {index: status}, in_flight [index]): in_flight
    were sent when time ran out and never answered (at most one per connection), so a
    check can look up whether each landed."""
    with tempfile.TemporaryDirectory() as folder:
        script, supply = f"{folder}/writes.lua", f"{folder}/requests.tsv"
        with open(script, "w") as out:
            out.write(WRK_WRITES_SCRIPT)
        with open(supply, "w") as out:
            for method, path, body, headers in requests:
                out.write("\t".join([method, path, body or "",
                                     *(f"{k}: {v}" for k, v in headers.items())]) + "\n")
        command = ["wrk", "-t", str(clients), "-c", str(clients), "-d", f"{max(1, round(seconds))}s",
                   "--timeout", "10s", "-s", script, base, "--", str(clients), supply]
        out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    answers, in_flight, latency = {}, [], None
    for line in out.stdout.splitlines():
        if line.startswith("WRK_THREAD "):
            _, tid, flying, statuses = (line.split(" ") + [""])[:4]
            tid, flying = int(tid), int(flying)
            for pair in filter(None, statuses.split(",")):
                k, code = pair.split(":")
                answers[tid + (int(k) - 1) * clients] = int(code)
            if flying:  # the thread's flying-th request, never answered
                in_flight.append(tid + (flying - 1) * clients)
        elif line.startswith("WRK_LATENCY "):
            latency = [int(x) for x in line.split()[1:]]
    # A socket error would shift a thread's answers against its requests: no verdict then.
    if (latency is None or latency[3] or len(in_flight) > clients
            or max([*answers, *in_flight], default=0) >= len(requests)):
        raise RuntimeError("wrk failed, ran out of requests or lost a connection: "
                           f"{out.stdout}\n{out.stderr}")
    statuses = Counter(answers.values())
    return Result(requests=len(answers), seconds=latency[0] / 1e6, p50_ms=latency[1] / 1000,
                  p99_ms=latency[2] / 1000, statuses=statuses, tool="wrk",
                  non_2xx=sum(n for s, n in statuses.items() if not 200 <= s < 400)), \
        answers, in_flight


def run_get(base, path, clients, seconds, headers=None, tool="auto"):
    """GET one path with the chosen tool (auto: wrk when installed)."""
    if tool == "wrk" or (tool == "auto" and have_wrk()):
        return run_wrk(base + path, clients, seconds, headers)
    return run_python(base, lambda _c, _n: ("GET", path, None, headers or {}), clients, seconds)
