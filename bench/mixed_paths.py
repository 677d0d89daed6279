"""The readers of bench/mixed.py: paths drawn from a Zipf long tail over the seed, and the
two loads that fetch them (wrk with a Lua script, or threads with http.client).

Each kind of page has its rows ranked by popularity (ideas by hot score, discussions by
last post, boards by posts, products by co-creators, search words in a fixed shuffle)
and a reader picks rank k with weight 1/k^s: a few pages are asked for often, most
rarely, as on a real site. The draws are written once to a file, `kind<TAB>path` a line;
wrk's thread t (one connection each) walks lines t, t + T, ...; the Python client's
reader t walks the whole list from its own offset.
"""

import http.client
import os
import random
import statistics
import subprocess
import tempfile
import threading
import time
from bisect import bisect
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import accumulate
from urllib.parse import quote

from sqlalchemy import create_engine, text

from .seed_text import FEATURES_EN, PRODUCTS_EN, PRODUCTS_ZH

# The mix: kind -> share of requests (%).
MIX = {"idea": 40, "thread": 15, "hot list": 10, "board": 10, "product": 10, "search": 10,
       "other": 5}
OTHER_PAGES = ("/", "/ideas/shipped", "/leaderboards", "/circles")
HOT_PAGES, PER_PAGE = 50, 20


def search_words():
    """Product names in both languages and the English features' longer words."""
    words = list(PRODUCTS_ZH) + list(PRODUCTS_EN)
    words += sorted({w for f in FEATURES_EN for w in f.split() if len(w) > 3})
    random.Random(21).shuffle(words)
    return words


def catalog(url):
    """What readers can be sent to, each list most popular first."""
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = lambda sql: [r[0] for r in conn.execute(text(sql), {"no": False})]  # noqa: E731
        found = {
            "idea": rows("SELECT ideas.id FROM ideas JOIN threads ON threads.id = ideas.thread_id "
                         "WHERE threads.hidden = :no AND ideas.status != 'merged' "
                         "ORDER BY ideas.hot DESC, ideas.id DESC"),
            "thread": rows("SELECT threads.id FROM threads JOIN boards ON boards.id = "
                           "threads.board_id WHERE threads.kind = 'discussion' AND "
                           "threads.hidden = :no AND threads.listed != :no AND boards.listed "
                           "!= :no ORDER BY threads.last_post_at DESC, threads.id DESC"),
            "board": rows("SELECT slug FROM boards WHERE listed != :no ORDER BY post_count DESC"),
            "product": rows("SELECT slug FROM products WHERE :no = :no "
                            "ORDER BY cocreator_count DESC, id"),
        }
    engine.dispose()
    found["hot list"] = list(range(1, min(HOT_PAGES, max(1, len(found["idea"]) // PER_PAGE)) + 1))
    found["search"] = search_words()
    found["other"] = list(OTHER_PAGES)
    return found


def path_of(kind, item, rng):
    if kind == "idea":
        return f"/ideas/{item}"
    if kind == "thread":
        return f"/t/{item}"
    if kind == "hot list":
        return "/ideas" if item == 1 else f"/ideas?page={item}"
    if kind == "board":  # a board's threads, or one time in three its ideas
        return f"/b/{item}/ideas" if rng.random() < 1 / 3 else f"/b/{item}"
    if kind == "product":
        return f"/products/{item}"
    if kind == "search":
        return "/search?q=" + quote(item)
    return item


class Zipf:
    """Rank k of `items` drawn with weight 1/k^s."""

    def __init__(self, items, s):
        self.items = items
        self.cumulative = list(accumulate(1 / k ** s for k in range(1, len(items) + 1)))

    def draw(self, rng):
        return self.items[min(bisect(self.cumulative, rng.random() * self.cumulative[-1]),
                              len(self.items) - 1)]


def draw_paths(found, count, s=1.0, seed=2026):
    """[(kind, path)] of `count` requests in the MIX, other pages uniform."""
    rng = random.Random(seed)
    kinds = [k for k in MIX if found.get(k)]
    weights = [MIX[k] for k in kinds]
    pickers = {k: Zipf(found[k], 0.0 if k == "other" else s) for k in kinds}
    drawn = []
    for kind in rng.choices(kinds, weights, k=count):
        drawn.append((kind, path_of(kind, pickers[kind].draw(rng), rng)))
    return drawn


def write_paths(drawn, folder):
    path = os.path.join(folder, "paths.tsv")
    with open(path, "w") as out:
        out.writelines(f"{kind}\t{p}\n" for kind, p in drawn)
    return path


@dataclass
class ReadResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int = 0
    bad: int = 0  # answers 4xx/5xx
    by_kind: dict = field(default_factory=dict)  # kind -> {answers, hits, bad[, p50_ms]}
    client_cpu_s: float = 0.0
    tool: str = "wrk"

    @property
    def rps(self):
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def hit_share(self):
        answers = sum(v["answers"] for v in self.by_kind.values())
        return sum(v["hits"] for v in self.by_kind.values()) / answers if answers else 0.0

    def as_dict(self):
        return {"requests": self.requests, "seconds": round(self.seconds, 2),
                "rps": round(self.rps, 1), "p50_ms": round(self.p50_ms, 2),
                "p99_ms": round(self.p99_ms, 2), "errors": self.errors, "bad": self.bad,
                "hit_share": round(self.hit_share, 3), "by_kind": self.by_kind,
                "client_cpu_s": round(self.client_cpu_s, 2), "tool": self.tool}


# One connection per wrk thread, so the answer a thread reads is to the request it last
# made: each answer is counted under its kind of page, with whether the page cache served
# it (X-Page-Cache: hit).
WRK_READERS = r"""
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function init(args)
  -- Only this thread's share of the list, formatted per request: 16 threads each
  -- formatting every path up front cost a core-second at the start of a timed run.
  local count = tonumber(args[3])
  headers, paths, kinds, counts, i, n = {}, {}, {}, {}, 0, 0
  for line in io.lines(args[2]) do
    local h = {}
    for field in (line .. "\t"):gmatch("([^\t]*)\t") do
      local name, value = field:match("^([^:]+): (.*)$")
      if name then h[name] = value end
    end
    headers[#headers + 1] = h
  end
  for line in io.lines(args[1]) do
    if n % count == tid then
      local kind, path = line:match("^([^\t]*)\t(.*)$")
      paths[#paths + 1], kinds[#kinds + 1] = path, kind
    end
    n = n + 1
  end
end
function request()
  i = i % #paths + 1
  current = kinds[i]
  return wrk.format("GET", paths[i], #headers > 0 and headers[(i % #headers) + 1] or nil)
end
function response(status, headers, body)
  -- one flat table per thread (wrk crashes copying a nested one): "kind\tn" -> count
  local k = current .. "\t"
  counts[k .. 1] = (counts[k .. 1] or 0) + 1
  if (headers["X-Page-Cache"] or headers["x-page-cache"]) == "hit" then
    counts[k .. 2] = (counts[k .. 2] or 0) + 1
  end
  if status >= 400 then counts[k .. 3] = (counts[k .. 3] or 0) + 1 end
end
done = function(summary, latency, requests)
  for _, t in ipairs(threads) do
    for key, n in pairs(t:get("counts")) do
      io.write(string.format("WRK_COUNT %s\t%d\n", key, n))
    end
  end
  local e = summary.errors
  io.write(string.format("WRK_SUMMARY %d %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), e.connect + e.read + e.write + e.timeout,
    e.status))
end
"""


def run_wrk_readers(base, paths_file, who, clients, seconds):
    """wrk -t clients -c clients over the path file; `who` is [{header: value}] per reader
    (signed-in fans take turns request by request), empty for visitors."""
    with tempfile.TemporaryDirectory() as folder:
        script, people = os.path.join(folder, "readers.lua"), os.path.join(folder, "who.tsv")
        with open(script, "w") as out:
            out.write(WRK_READERS)
        with open(people, "w") as out:
            out.writelines("\t".join(f"{k}: {v}" for k, v in h.items()) + "\n" for h in who)
        command = ["wrk", "-t", str(clients), "-c", str(clients), "-d",
                   f"{max(1, round(seconds))}s", "--timeout", "10s", "-s", script, base,
                   "--", paths_file, people, str(clients)]
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            process = subprocess.Popen(command, stdout=out, stderr=err, text=True)
            _, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            err.seek(0)
            stdout, stderr = out.read(), err.read()
    by_kind, summary = defaultdict(lambda: {"answers": 0, "hits": 0, "bad": 0}), None
    for line in stdout.splitlines():
        if line.startswith("WRK_COUNT "):
            kind, which, count = line[len("WRK_COUNT "):].split("\t")
            by_kind[kind][("answers", "hits", "bad")[int(which) - 1]] += int(count)
        elif line.startswith("WRK_SUMMARY "):
            summary = [int(x) for x in line.split()[1:]]
    if summary is None:
        raise RuntimeError(f"wrk failed ({process.returncode}): {stdout}\n{stderr}")
    return ReadResult(requests=summary[0], seconds=summary[1] / 1e6, p50_ms=summary[2] / 1000,
                      p99_ms=summary[3] / 1000, errors=summary[4], bad=summary[5],
                      by_kind=dict(by_kind), tool="wrk",
                      client_cpu_s=usage.ru_utime + usage.ru_stime)


def run_python_readers(base, drawn, who, clients, seconds):
    """The same load with threads and http.client: latency per kind too, at the cost of
    this process's CPU (reported, to see whether the client or the server is the limit)."""
    host, port = base.split("//", 1)[1].split(":")
    kinds = defaultdict(lambda: {"answers": 0, "hits": 0, "bad": 0, "ms": []})
    lock, errors = threading.Lock(), [0]
    deadline = time.monotonic() + seconds

    def reader(index):
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        i, mine = (index * 7919) % len(drawn), []
        while time.monotonic() < deadline:
            kind, path = drawn[i]
            headers = who[i % len(who)] if who else {}
            i = (i + 1) % len(drawn)
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                answer = conn.getresponse()
                answer.read()
            except (OSError, http.client.HTTPException):
                conn.close()
                with lock:
                    errors[0] += 1
                continue
            mine.append((kind, 1000 * (time.perf_counter() - start), answer.status,
                         answer.getheader("X-Page-Cache") == "hit"))
        conn.close()
        with lock:
            for kind, ms, status, hit in mine:
                kinds[kind]["answers"] += 1
                kinds[kind]["hits"] += hit
                kinds[kind]["bad"] += status >= 400
                kinds[kind]["ms"].append(ms)

    cpu, began = time.process_time(), time.monotonic()
    workers = [threading.Thread(target=reader, args=(i,), daemon=True) for i in range(clients)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed, cpu = time.monotonic() - began, time.process_time() - cpu
    every = sorted(ms for k in kinds.values() for ms in k["ms"])
    by_kind = {kind: {"answers": v["answers"], "hits": v["hits"], "bad": v["bad"],
                      "p50_ms": round(statistics.median(v["ms"]), 2)}
               for kind, v in kinds.items()}
    return ReadResult(requests=len(every), seconds=elapsed,
                      p50_ms=statistics.median(every) if every else 0.0,
                      p99_ms=every[max(0, int(len(every) * 0.99) - 1)] if every else 0.0,
                      errors=errors[0], bad=sum(v["bad"] for v in by_kind.values()),
                      by_kind=by_kind, client_cpu_s=cpu, tool="python")


def shares(by_kind):
    """Each kind's share of the answers (%), to compare with MIX."""
    total = sum(v["answers"] for v in by_kind.values()) or 1
    return dict(Counter({k: round(100 * v["answers"] / total, 1) for k, v in by_kind.items()}))
