"""Probe: whoosh + community.search.analyzer against SQLite FTS5 (trigram) on mixed zh/en text.

    python bench/search_analyzer_probe.py --docs 100000

Generates synthetic product-idea posts (titles + bodies mixing Chinese and English), indexes
them with whoosh (the app's analyzer, spelling=True) and with FTS5 trigram, then times the
same queries in both. Everything is written under --workdir (default: a temp dir).
Needs only whoosh-reloaded and jieba; nothing here is used by the app.
"""

import argparse
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import jieba  # noqa: E402
from whoosh import index  # noqa: E402
from whoosh.codec.whoosh3 import W3Codec  # noqa: E402
from whoosh.fields import ID, NUMERIC, TEXT, Schema  # noqa: E402
from whoosh.qparser import MultifieldParser, QueryParser  # noqa: E402

from community.search.analyzer import (  # noqa: E402
    correct_query,
    make_analyzer,
    warm_up,
)

PRODUCTS = ["Mi Band 8", "Mi Band 9 Pro", "小米手环8", "Redmi Watch 4", "Xiaomi Watch S3",
            "小米手表", "Redmi Buds 5", "降噪耳机", "扫地机器人", "智能音箱", "Xiaomi Pad 6",
            "小米平板", "Redmi Note 13", "Xiaomi 14", "小爱音箱", "电动牙刷", "空气净化器"]
FEATURES_ZH = ["NFC 门禁卡", "NFC门禁卡", "息屏显示", "血氧监测", "睡眠监测", "心率", "抬腕亮屏",
               "表盘", "公交卡", "微信支付", "支付宝", "消息通知", "来电提醒", "快充", "无线充电",
               "续航", "防水", "GPS 定位", "蓝牙连接", "降噪", "语音助手", "小爱同学", "屏幕亮度",
               "夜间模式", "闹钟", "运动模式", "游泳", "跑步", "骑行", "体重", "压力监测",
               "勿扰模式", "相机遥控", "音乐控制", "天气", "日程", "指南针", "气压计", "海拔",
               "表带", "充电器", "固件升级", "应用商店", "第三方应用", "离线地图", "震动马达"]
VERBS_ZH = ["希望", "建议", "能不能", "请", "增加", "支持", "优化", "改进", "修复", "添加",
            "开放", "恢复", "提高", "降低"]
COMPLAINTS_ZH = ["电池续航太短了", "连接经常断开", "屏幕太暗", "充电太慢", "同步失败", "耗电太快",
                 "通知延迟", "识别不准", "表带容易断", "系统卡顿", "数据不准确", "经常闪退",
                 "字体太小", "设置太复杂", "找不到这个功能"]
FEATURES_EN = ["battery life", "NFC", "always-on display", "heart rate", "sleep tracking",
               "custom watch faces", "third-party apps", "offline maps", "Bluetooth",
               "notifications", "GPS accuracy", "Spotify integration", "Google Fit sync",
               "Strava export", "raise to wake", "firmware update", "dark mode",
               "water resistance", "wireless charging", "fast charging", "SpO2", "alarm",
               "stress monitoring", "weather widget", "music controls", "camera remote",
               "voice assistant", "screen brightness", "vibration strength", "step counter"]
COMPLAINTS_EN = ["is too short", "keeps disconnecting", "is delayed", "drains the battery",
                 "stopped working after the update", "is inaccurate", "crashes sometimes",
                 "syncs very slowly", "is missing", "needs more options", "is hard to find",
                 "batteries die quickly", "charges slowly", "was better before"]
REQUESTS_EN = ["Please add", "Would love", "Feature request:", "Can we get", "Suggestion:",
               "Bring back", "Improve", "Fix", "Support for"]
FILLER_EN = [
    "about", "after", "again", "all", "also", "always", "any", "app", "around", "because",
    "been", "before", "better", "both", "bug", "but", "came", "can", "change", "could", "day",
    "days", "device", "each", "even", "every", "feature", "few", "first", "good", "great",
    "had", "has", "help", "here", "home", "how", "just", "know", "last", "like", "little",
    "long", "look", "lot", "made", "make", "many", "maybe", "more", "most", "much", "need",
    "never", "new", "next", "night", "now", "often", "old", "only", "other", "our", "out",
    "over", "people", "phone", "please", "really", "right", "same", "screen", "see", "should",
    "since", "small", "so", "some", "still", "such", "sure", "take", "than", "thanks",
    "their", "them", "then", "there", "these", "thing", "think", "time", "today", "too",
    "update", "use", "used", "user", "users", "very", "want", "watch", "way", "week", "well",
    "what", "when", "where", "which", "while", "who", "why", "will", "with", "work",
    "working", "would", "year", "years", "yes", "yet",
]


def zipf_choice(rng, items, s=1.1):
    """Pick with Zipf-like weights so a few words are common and most are rare."""
    weights = [1 / (i + 1) ** s for i in range(len(items))]
    return lambda k=1: rng.choices(items, weights=weights, k=k)


def chinese_filler(n=6000):
    """Common 2-3 character words from jieba's own dictionary, most frequent first."""
    words = []
    with jieba.dt.get_dict_file() as f:
        for line in f:
            w, freq = line.decode("utf-8").split()[:2]
            if 2 <= len(w) <= 3:
                words.append((int(freq), w))
    return [w for _, w in sorted(words, reverse=True)[:n]]


def make_docs(n, seed):
    rng = random.Random(seed)
    zh_fill = zipf_choice(rng, chinese_filler())
    en_fill = zipf_choice(rng, FILLER_EN, s=0.8)
    pick = rng.choice

    def zh_sentence():
        parts = [pick(VERBS_ZH), pick(PRODUCTS), pick(VERBS_ZH[4:]), pick(FEATURES_ZH)]
        parts += zh_fill(rng.randint(1, 4)) + [pick(COMPLAINTS_ZH)]
        return ("" if rng.random() < 0.4 else " ").join(parts) + "。"

    def en_sentence():
        words = [pick(REQUESTS_EN), pick(FEATURES_EN), *en_fill(rng.randint(2, 6))]
        return " ".join(words + [pick(FEATURES_EN), pick(COMPLAINTS_EN)]) + "."

    def mixed_sentence():
        return f"{pick(VERBS_ZH)} {pick(PRODUCTS)} {pick(VERBS_ZH[4:])} {pick(FEATURES_ZH)} 功能, " \
               f"{pick(FEATURES_EN)} {pick(COMPLAINTS_EN)}."

    makers = [zh_sentence, en_sentence, mixed_sentence]
    for i in range(n):
        title = pick([f"{pick(VERBS_ZH)} {pick(PRODUCTS)} {pick(FEATURES_ZH)}",
                      f"{pick(PRODUCTS)} {pick(COMPLAINTS_ZH)}",
                      f"{pick(REQUESTS_EN)} {pick(FEATURES_EN)} on {pick(PRODUCTS)}",
                      f"{pick(FEATURES_ZH)}: {pick(FEATURES_EN)} {pick(COMPLAINTS_EN)}"])
        body = " ".join(pick(makers)() for _ in range(rng.randint(1, 4)))
        yield i, title, body


def make_queries(n, seed):
    rng = random.Random(seed + 1)
    en_words = sorted({w.lower() for p in FEATURES_EN + COMPLAINTS_EN for w in p.split()
                       if len(w) > 3 and w.isalpha() and w not in {"keeps", "after", "with"}})
    en_words += ["batteries", "charging", "notification", "disconnects", "crash", "watches"]
    zh_words = sorted({w for f in FEATURES_ZH for w in f.split() if not w.isascii()}
                      | {"续航", "门禁", "电池", "耗电", "闪退", "同步", "卡顿", "充电"})
    zh_phrases = ["电池 续航", "电池续航", "续航太短", "门禁卡 功能", "小米手环 NFC", "表盘 太少",
                  "息屏显示 耗电", "蓝牙连接 断开", "支付宝 公交卡", "固件升级 卡顿"]
    return {
        "en_1word": [rng.choice(en_words) for _ in range(n)],
        "en_2words": [" ".join(rng.sample(en_words, 2)) if rng.random() < 0.5
                      else rng.choice(FEATURES_EN) for _ in range(n)],
        "zh": [rng.choice(zh_words) if rng.random() < 0.6 else rng.choice(zh_phrases)
               for _ in range(n)],
    }


def schema(phrase):
    # phrase=False stores no positions: no "quoted" phrase search, but whoosh unpickles a
    # posting block's positions together with its doc ids, so queries get much cheaper.
    a = make_analyzer()
    return Schema(id=ID(stored=True, unique=True), created=NUMERIC(sortable=True),
                  title=TEXT(analyzer=a, phrase=phrase),
                  body=TEXT(analyzer=a, spelling=True, phrase=phrase))


def build_whoosh(path, docs, args):
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    ix = index.create_in(path, schema(args.phrase))
    codec = W3Codec(blocklimit=args.blocklimit, compression=args.compression)
    kw = {"limitmb": args.limitmb, "codec": codec}
    if args.procs > 1:
        kw.update(procs=args.procs, multisegment=args.multisegment)
    t = time.perf_counter()
    with ix.writer(**kw) as w:
        for i, title, body in docs:
            w.add_document(id=str(i), created=i, title=title, body=body)
    return ix, time.perf_counter() - t


def build_fts(path, docs):
    if os.path.exists(path):
        os.remove(path)
    db = sqlite3.connect(path)
    db.execute("CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize='trigram')")
    t = time.perf_counter()
    db.executemany("INSERT INTO fts(rowid, title, body) VALUES (?, ?, ?)", docs)
    db.commit()
    return db, time.perf_counter() - t


def fts_search(db, qstring, limit=20):
    """Terms of >= 3 characters go through MATCH (indexed, bm25-ranked); trigram can't index
    shorter ones, so those become LIKE filters: a full scan when nothing else narrows it."""
    terms = qstring.split()
    long_ = [t for t in terms if len(t) >= 3]
    short = [t for t in terms if len(t) < 3]
    where, args = [], []
    if long_:
        where.append("fts MATCH ?")
        args.append(" ".join('"{}"'.format(t.replace('"', '""')) for t in long_))
    for t in short:
        where.append("(title LIKE ? OR body LIKE ?)")
        args += [f"%{t}%"] * 2
    order = "ORDER BY bm25(fts, 2.0, 1.0)" if long_ else ""
    sql = f"SELECT rowid FROM fts WHERE {' AND '.join(where)} {order} LIMIT {limit}"
    return [r[0] for r in db.execute(sql, args)]


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def timed(queries, fns):
    """Run every variant on each query in turn, so a busy machine slows them all alike."""
    out = {label: ([], []) for label in fns}
    for q in queries:
        for label, fn in fns.items():
            t = time.perf_counter()
            n = len(fn(q))
            out[label][0].append((time.perf_counter() - t) * 1000)
            out[label][1].append(n)
    return out


def report(label, qtype, times, hits):
    print(f"  {label:<34} {qtype:<10} p50 {pct(times, 50):7.2f} ms  p99 {pct(times, 99):7.2f} ms"
          f"  mean {statistics.mean(times):6.2f}  avg hits {statistics.mean(hits):5.1f}")
    return pct(times, 50)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=200, help="per query type")
    ap.add_argument("--procs", type=int, default=1)
    ap.add_argument("--limitmb", type=int, default=256)
    ap.add_argument("--multisegment", action="store_true",
                    help="with --procs: keep one segment per process (no merge at commit)")
    ap.add_argument("--optimize", action="store_true", help="merge segments after building")
    ap.add_argument("--phrase", action="store_true", help="store positions (phrase queries)")
    ap.add_argument("--blocklimit", type=int, default=128, help="postings per block")
    ap.add_argument("--compression", type=int, default=3, help="zlib level of posting blocks")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workdir", default=None)
    ap.add_argument("--reuse", action="store_true", help="reuse an index left in --workdir")
    args = ap.parse_args()
    work = args.workdir or tempfile.mkdtemp(prefix="search_probe_")
    os.makedirs(work, exist_ok=True)

    t = time.perf_counter()
    warm_up()
    print(f"jieba warm_up: {time.perf_counter() - t:.2f} s")
    docs = list(make_docs(args.docs, args.seed))
    chars = sum(len(t) + len(b) for _, t, b in docs)
    print(f"{len(docs)} docs, {chars / len(docs):.0f} chars/doc; e.g. {docs[0][1]!r} / "
          f"{docs[0][2][:90]!r}")

    ixdir = os.path.join(work, "whoosh")
    if args.reuse and index.exists_in(ixdir):
        ix = index.open_dir(ixdir)
    else:
        ix, secs = build_whoosh(ixdir, docs, args)
        if args.optimize:
            t = time.perf_counter()
            ix.optimize(limitmb=args.limitmb, codec=W3Codec(blocklimit=args.blocklimit,
                                                            compression=args.compression))
            print(f"whoosh optimize (merge segments): {time.perf_counter() - t:.1f} s")
            secs += time.perf_counter() - t
        size = sum(os.path.getsize(os.path.join(ixdir, f)) for f in os.listdir(ixdir)) / 2**20
        print(f"whoosh index: {secs:.1f} s = {len(docs) / secs:.0f} docs/s (procs={args.procs} "
              f"limitmb={args.limitmb} multisegment={args.multisegment} phrase={args.phrase} "
              f"blocklimit={args.blocklimit} compression={args.compression}), "
              f"{size:.0f} MB, {len(ix._segments())} segment(s)")
    db, secs = build_fts(os.path.join(work, "fts.db"), docs)
    print(f"fts5 trigram index: {secs:.1f} s = {len(docs) / secs:.0f} docs/s, "
          f"{os.path.getsize(os.path.join(work, 'fts.db')) / 2**20:.0f} MB")
    del docs

    queries = make_queries(args.queries, args.seed)
    # A strong title boost is also a speed knob: top-20 scores rise faster, so whoosh's
    # block-max skipping passes over more body-only postings (title^3 vs ^2: 2-word p50 -20%).
    fields, boosts = ["title", "body"], {"title": 3.0, "body": 1.0}
    searcher = ix.searcher()
    parser = MultifieldParser(fields, ix.schema, fieldboosts=boosts)  # AND of words by default

    def naive(q):  # new searcher + parser per query, as a first draft would do
        with ix.searcher() as s:
            p = MultifieldParser(fields, ix.schema, fieldboosts=boosts)
            return [h["id"] for h in s.search(p.parse(q), limit=20)]

    def tuned(q):
        return [h["id"] for h in searcher.search(parser.parse(q), limit=20)]

    def body_only(q):
        return [h["id"] for h in searcher.search(body_parser.parse(q), limit=20)]

    def newest(q):  # sorted by a column instead of scored
        return [h["id"] for h in searcher.search(parser.parse(q), limit=20,
                                                  sortedby="created", reverse=True)]

    def counted(q):  # asking for the total forces the whole posting lists to be read
        r = searcher.search(parser.parse(q), limit=20)
        return [len(r)] * min(len(r), 20)

    def parse_only(q):
        return [parser.parse(q)]

    body_parser = QueryParser("body", ix.schema)
    for qs in queries.values():  # warm OS cache, stemmer cache, column readers
        for q in qs[:20]:
            tuned(q), newest(q), fts_search(db, q)

    n = searcher.doc_count()
    for qtype, qs in queries.items():
        terms = {t for q in qs for t in parser.parse(q).iter_all_terms() if t[0] == "body"}
        dfs = sorted(searcher.doc_frequency(*t) / n for t in terms)
        print(f"{qtype}: {len(terms)} distinct terms, body doc frequency median "
              f"{statistics.median(dfs):.1%}, max {dfs[-1]:.1%}")

    tuned_label, fts_label = "whoosh tuned (title^3+body, scored)", "fts5 trigram (bm25 / LIKE<3ch)"
    fns = {"whoosh naive (searcher+parser/query)": naive, tuned_label: tuned,
           "whoosh body only": body_only, "whoosh sorted by created": newest,
           "whoosh scored + len(results)": counted, "whoosh parse only": parse_only,
           fts_label: lambda q: fts_search(db, q)}
    print(f"\nlatency over {args.queries} queries per type (limit=20):")
    summary = {}
    for qtype, qs in queries.items():
        for label, (times, hits) in timed(qs, fns).items():
            summary[label, qtype] = report(label, qtype, times, hits)
        print()
    for qtype in queries:
        w, f = summary[tuned_label, qtype], summary[fts_label, qtype]
        print(f"  {qtype:<10} whoosh tuned p50 / fts5 p50 = {w / f:5.1f}x")

    zh = queries["zh"]
    short = [q for q in zh if all(len(t) < 3 for t in q.split())]
    print(f"\nzh queries FTS5 trigram cannot index (all terms < 3 chars): {len(short)}/{len(zh)}")
    res = timed(short, {"fts5 LIKE scan": lambda q: fts_search(db, q), "whoosh tuned": tuned})
    for label, (times, hits) in res.items():
        report("  of which " + label, "zh<3ch", times, hits)

    typos = ["baterry", "notifcations", "bluetoth", "acuracy", "charing", "brightnes",
             "spotfy", "wireles", "vibraton", "disconecting"]
    times, _ = timed(typos * 5, {"c": lambda q: [correct_query(searcher, "body", q)]})["c"]
    print(f"\ndid-you-mean: {[correct_query(searcher, 'body', q) for q in typos]}")
    print(f"  correct_query p50 {pct(times, 50):.2f} ms  p99 {pct(times, 99):.2f} ms")
    searcher.close()
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
