"""Reading the index: safe parsing, filters, sorting, pages, snippets, "did you mean".

A query never raises past this module: an empty, over-long or unparseable query gives
a Results with a message and no items. What a hit shows (title, snippet, status, votes)
is read from the database through the kinds' loaders, so a page shows current text.
"""

import functools
import heapq
import re
import time
from dataclasses import dataclass, field

from flask_babel import gettext as _
from markupsafe import Markup, escape
from whoosh import qparser
from whoosh import query as wq
from whoosh.collectors import Collector, TimeLimit, WrappingCollector

from . import snippets
from .analyzer import correct_query
from .index import get_index, make_schema
from .registry import KINDS

MAX_QUERY = 200  # characters
MAX_PAGE = 50  # of 20 hits: past that, refine the query
SORTS = ("relevance", "date")

PHRASE_BOOST = 2.0  # a title holding a quoted phrase exactly ranks above the rest
# A query running longer stops and shows what it has found (p99 guard).
TIME_LIMIT = 1.0
SUGGEST_BELOW = 5  # "did you mean" is looked for when fewer hits than this turn up
_NOT_WORDS = (qparser.FieldsPlugin, qparser.WildcardPlugin, qparser.RangePlugin,
              qparser.BoostPlugin, qparser.EveryPlugin, qparser.SingleQuotePlugin)


@dataclass
class Hit:
    kind: str
    id: int
    title: Markup
    snippet: Markup
    url: str
    score: float
    doc: object


@dataclass
class Results:
    query: str
    items: list = field(default_factory=list)
    page: int = 1
    per_page: int = 20
    has_next: bool = False
    total: int = 0
    total_exact: bool = True
    message: str | None = None
    suggestion: str | None = None

    @property
    def has_prev(self):
        return self.page > 1

    @property
    def pages(self):
        # The pager shows "page n of m" only when the total is known.
        return -(-self.total // self.per_page) if self.total_exact and self.total else None


# ---- parsing ----------------------------------------------------------------

@functools.cache
def _parser(group=qparser.AndGroup, field="text"):
    parser = qparser.QueryParser(field, make_schema(), group=group)
    # Words, "phrases", groups and AND/OR/NOT only: no field:, wildcards, ranges or ^boosts,
    # which would let one query scan the whole index or reach fields it should not.
    for plugin in _NOT_WORDS:
        parser.remove_plugin_class(plugin)
    return parser


def _text_phrase(node):
    # "text" keeps no positions: a quoted phrase matches a title holding it exactly
    # (ranked first), or any document holding all of its words.
    if isinstance(node, wq.Phrase) and node.fieldname == "text":
        return wq.Or([wq.Phrase("title", node.words, boost=PHRASE_BOOST),
                      wq.And([wq.Term("text", w) for w in node.words])])
    return node


def _has_positive_terms(node):
    if isinstance(node, wq.Not):
        return False
    if node.is_leaf():
        return node is not wq.NullQuery
    return any(_has_positive_terms(child) for child in node.children())


# A minus before a word, a quote or a group (not inside a word: "e-ink"): "not this".
_MINUS = re.compile(r"(?:^|(?<=[\s(]))-+(?=[^\W_]|[\"(])")


@functools.lru_cache(maxsize=2048)
def parse(qstring, group=qparser.AndGroup, field="text"):
    """The whoosh query for a user's string, or None when it holds nothing to look for
    (only stop words, punctuation, a lone AND or NOT). As in web search engines, a word
    or "phrase" after a minus is one the hits must not hold. Both backends search what
    this returns (pgquery.py writes it as a tsquery)."""
    try:
        q = _parser(group, field).parse(_MINUS.sub("NOT ", qstring))
    except Exception:  # whoosh's parser is lenient; anything it still trips on is "no words"
        return None
    q = q.accept(_text_phrase).normalize()
    if q is wq.NullQuery or not _has_positive_terms(q):
        return None
    return q


def check(qstring):
    """(the stripped query, or None, and a message for the user, or None)."""
    qstring = " ".join((qstring or "").split())
    if not qstring:
        return None, _("Type a word or two to search for.")
    if len(qstring) > MAX_QUERY:
        return None, _("Keep the search under %(n)d characters.", n=MAX_QUERY)
    return qstring, None


def filter_query(kinds=None, board_id=None):
    parts = []
    if kinds:
        parts.append(wq.Or([wq.Term("kind", k) for k in kinds]))
    if board_id is not None:
        parts.append(wq.Term("board", str(board_id)))
    return wq.And(parts) if parts else None


# ---- searching --------------------------------------------------------------

class Deadline(WrappingCollector):
    """Stop collecting after `seconds` and keep what was found. Checked every 64 matches,
    without the timer thread and SIGALRM of whoosh's TimeLimitCollector."""

    def __init__(self, child, seconds):
        self.child, self.seconds = child, seconds

    def collect_matches(self):
        end = time.monotonic() + self.seconds
        child = self.child
        for n, sub_docnum in enumerate(child.matches()):
            child.collect(sub_docnum)
            if not n & 63 and time.monotonic() > end:
                raise TimeLimit


class Newest(Collector):
    """The `limit` newest matches by the sortable "created" column, unscored, in a heap.
    whoosh's sorting collector keeps a set and a list of every match and sorts them all."""

    def __init__(self, limit):
        super().__init__()
        self.limit = limit

    def prepare(self, top_searcher, q, context):
        super().prepare(top_searcher, q, context.set(weighting=None))
        self.heap, self.total = [], 0

    def set_subsearcher(self, subsearcher, offset):
        super().set_subsearcher(subsearcher, offset)
        reader = subsearcher.reader()
        # An index with no documents yet has an empty reader: no columns, no matches.
        self.created = reader.column_reader("created") if reader.has_column("created") else None

    def collect(self, sub_docnum):
        self.total += 1
        item = (self.created[sub_docnum], self.offset + sub_docnum)
        if len(self.heap) < self.limit:
            heapq.heappush(self.heap, item)
        elif item > self.heap[0]:
            heapq.heapreplace(self.heap, item)

    def results(self):
        return sorted(self.heap, reverse=True)


@dataclass
class Found:
    hits: list  # (docnum, score), best first
    total: int
    exact: bool
    timed_out: bool = False  # cut short by TIME_LIMIT: what was found by then


def run(searcher, q, limit, sort="relevance", filter=None):
    """The first `limit` hits for q, within TIME_LIMIT (past it: what was found so far)."""
    if filter is not None:
        # Intersecting with the filter's terms lets whoosh skip; a filter= docset would
        # read every posting of "kind:reply" first. ConstantScore keeps the ranking.
        q = wq.And([q, wq.ConstantScoreQuery(filter, 0.0)])
    collector = Newest(limit) if sort == "date" else searcher.collector(limit=limit)
    timed_out = False
    try:
        searcher.search_with_collector(q, Deadline(collector, TIME_LIMIT))
    except TimeLimit:
        timed_out = True
    if sort == "date":
        return Found([(docnum, 0.0) for _at, docnum in collector.results()], collector.total,
                     not timed_out, timed_out)
    hits = [(docnum, score) for score, docnum in collector.results().top_n]
    if len(hits) < limit and not timed_out:
        # Block-max skipping only starts once `limit` hits are in: below that, all were seen.
        return Found(hits, len(hits), True)
    return Found(hits, max(q.estimate_size(searcher.reader()), len(hits)), False, timed_out)


def query_terms(q):
    """The analysed words of q (stems, Chinese words) that hits are marked with."""
    return frozenset(text for field, text in q.iter_all_terms() if field in ("text", "title"))


def keys_of(searcher, hits):
    return [(split_key(searcher.stored_fields(docnum)["key"]), score) for docnum, score in hits]


def prepare(qstring, page, per_page):
    """(Results to fill, the parsed query or None when Results already says why not)."""
    qstring, message = check(qstring)
    results = Results(query=qstring or "", page=page, per_page=per_page, message=message)
    if qstring is None:
        return results, None
    if page > MAX_PAGE:
        results.message = _("Only the first %(n)d pages are shown: add a word to narrow "
                            "the search.", n=MAX_PAGE)
        return results, None
    q = parse(qstring)
    if q is None:
        results.message = nothing_to_search()
    return results, q


def nothing_to_search():
    return _("Nothing to search for in that: use words, not only symbols or operators.")


def search(qstring, kinds=None, board_id=None, sort="relevance", page=1, per_page=20):
    """A page of hits for what a user typed. Never raises for a bad query."""
    results, q = prepare(qstring, page, per_page)
    if q is None:
        return results
    qstring = results.query
    sort = sort if sort in SORTS else "relevance"
    start = (page - 1) * per_page

    def look_up(searcher):
        found = run(searcher, q, start + per_page + 1, sort, filter_query(kinds, board_id))
        hits = found.hits[start:]
        total = max(found.total, start + len(hits))
        suggestion = correct_query(searcher, "text", qstring) \
            if page == 1 and total < SUGGEST_BELOW else None
        # Only what the page shows is kept (page 50 found 1,001 hits to show 20 of them);
        # an answer cut short by the time limit is not, or a slowed worker would pin it.
        answer = (keys_of(searcher, hits[:per_page]), len(hits) > per_page, total,
                  found.exact, suggestion)
        return answer, not found.timed_out

    # The answer depends on the index and on these alone (the query's words are parsed
    # the same in every language); rows are loaded fresh below, so edits show at once.
    key = ("search", qstring, tuple(kinds or ()), board_id, sort, page, per_page)
    keyed, results.has_next, results.total, results.total_exact, results.suggestion = \
        get_index().read(look_up, key=key)
    results.items = present(keyed, query_terms(q))
    return results


# ---- what a hit shows --------------------------------------------------------

def load_docs(keys):
    """{(kind, id): Doc} for hit keys, one loader call per kind."""
    wanted = {}
    for kind, ref in keys:
        wanted.setdefault(kind, []).append(ref)
    docs = {}
    for kind, ids in wanted.items():
        if kind in KINDS:
            docs.update({(kind, i): d for i, d in KINDS[kind].load(ids).items()})
    return docs


def split_key(key):
    kind, _sep, ref = key.partition(":")
    return kind, int(ref)


def present(keyed, terms):
    """Hits as shown: current text from the database, matches marked. A row gone since the
    last drain (deleted, hidden) is left out rather than shown stale."""
    docs = load_docs([key for key, _score in keyed])
    items = []
    for key, score in keyed:
        if (doc := docs.get(key)) is None:
            continue
        items.append(Hit(
            kind=doc.kind, id=doc.id, doc=doc, score=round(float(score), 4),
            title=snippets.mark(doc.title, terms) if doc.title else escape(doc.shown_title),
            snippet=snippets.snippet(doc.body, terms), url=KINDS[doc.kind].url(doc)))
    return items
