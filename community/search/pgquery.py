"""The PostgreSQL backend's reads: a user's query as a tsquery, ranked hits, "did you
mean" and similar ideas, over search_documents (pgindex.py).

The query is parsed once, by query.parse (the whoosh parser both backends share), and
written as a tsquery literal of analysed words: no PostgreSQL parser or dictionary sees
the text, so Chinese words and stems match what pgindex wrote. Quoted phrases, OR, NOT
and a leading minus mean what they mean on whoosh (websearch_to_tsquery's meanings).
A repeated word counts once and only MAX_TERMS distinct words are kept: no query can
make PostgreSQL merge dozens of posting lists.

Ranking is ts_rank_cd (cover density: matches close together score higher) with title
words worth WEIGHT_A, three times a body word as in whoosh's index, plus PHRASE_BOOST for
a title holding a quoted phrase exactly. Only the newest RANK_CAP matches are ranked, as
whoosh stops at its time limit: past that the total is an estimate and the query wants
another word. Newest, not the first a scan meets: PostgreSQL's synchronized scans start
anywhere in the table, so "the first" gave a common word a different first page from one
search to the next. An index on (created_at, ref_id) keeps the newest cheap to find.

Snippets are not ts_headline's: PostgreSQL's parser would see a run of Han characters
as one word and mark nothing inside it. Hits are marked by snippets.py from the rows'
current text, escaped, exactly as on whoosh.
"""

import functools
from dataclasses import dataclass

from sqlalchemy import Integer, bindparam, cast, func, literal, select
from sqlalchemy.dialects.postgresql import ARRAY, REAL, TSQUERY
from whoosh import query as wq
from whoosh.support.levenshtein import levenshtein

from ..kernel.extensions import db
from .analyzer import correct_query
from .models import SearchDocument, SearchWord
from .pgindex import _quote
from .query import MAX_PAGE, SORTS, SUGGEST_BELOW, check, parse, prepare, present, query_terms
from .similar import ANY_WORDS, MIN_COVER, shortlist

MAX_TERMS = 16
# Enough for every page a search shows (MAX_PAGE of 20 hits); ranking 5000 matches of a
# common word cost 20 ms p50 in PostgreSQL on a loaded machine (bench/RESULTS.md).
RANK_CAP = MAX_PAGE * 20 * 2
PHRASE_BOOST = 1.0
# ts_rank_cd's weights for {D, C, B, A}: a body word (B) a third of a title word (A).
WEIGHTS = [0.1, 0.1, 0.33, 1.0]
NORMALIZATION = 1  # divided by 1 + log(length): long documents do not win by size alone
DF_CAP = 1000  # "did you mean" compares document counts up to this


# ---- the tsquery -------------------------------------------------------------------------

class _Writer:
    def __init__(self, max_terms):
        self.terms, self.max_terms, self.phrases = set(), max_terms, []

    def term(self, text):
        if text not in self.terms:
            if len(self.terms) >= self.max_terms:
                return False
            self.terms.add(text)
        return True

    def write(self, node):
        """(tsquery text, whether it needs a word present) or None for nothing."""
        if isinstance(node, wq.Term):
            if node.fieldname not in ("text", "title") or not self.term(node.text):
                return None
            return _quote(node.text) + (":A" if node.fieldname == "title" else ""), True
        if isinstance(node, wq.Phrase):
            words = [w for w in node.words if self.term(w)]
            if not words:
                return None
            text = "(" + " <-> ".join(f"{_quote(w)}:A" for w in words) + ")"
            if node.boost > 1:
                self.phrases.append(text)
            return text, True
        if isinstance(node, wq.Not):
            inner = self.write(node.query)
            return (f"!{inner[0]}", False) if inner else None
        if isinstance(node, wq.AndNot):
            return self.join(wq.And([node.a, wq.Not(node.b)]))
        if isinstance(node, wq.AndMaybe):
            return self.write(node.a)
        if isinstance(node, (wq.And, wq.Or)):
            return self.join(node)
        return None

    def join(self, node):
        parts = {}
        for child in node.children():
            written = self.write(child)
            if written is not None:
                parts.setdefault(*written)
        if not parts:
            return None
        is_or = isinstance(node, wq.Or)
        # An AND needs a word if any part does; an OR only if every branch does.
        positive = all(parts.values()) if is_or else any(parts.values())
        if len(parts) == 1:
            return next(iter(parts.items()))
        return "(" + (" | " if is_or else " & ").join(parts) + ")", positive


@dataclass
class TsQuery:
    text: str
    phrases: str | None  # titles holding a quoted phrase exactly, ranked first


def tsquery_of(q, max_terms=MAX_TERMS):
    """The TsQuery for a parsed query, or None when it needs no word present (it would
    match every document)."""
    writer = _Writer(max_terms)
    written = writer.write(q)
    if written is None or not written[1]:
        return None
    return TsQuery(written[0], " | ".join(writer.phrases) or None)


# ---- searching -----------------------------------------------------------------------

# The find statement is built once per shape (sort, a quoted phrase or not, filters) with
# the query's values bound at each run: building the select with its subquery and window
# for every search was a good part of this process's CPU per results page
# (bench/RESULTS.md, 2026-12-07 07:40 UTC).
_Q = bindparam("q", type_=TSQUERY)
_PHRASES = bindparam("phrases", type_=TSQUERY)


def _matching(kinds, board):
    doc = SearchDocument
    where = [doc.tsv.op("@@")(_Q)]
    if kinds:
        where.append(doc.kind.in_(bindparam("kinds", expanding=True)))
    if board:
        where.append(doc.board_id == bindparam("board_id", type_=Integer))
    return where


def _rank(tsv, phrases):
    rank = func.ts_rank_cd(literal(WEIGHTS, ARRAY(REAL)), tsv, _Q, NORMALIZATION)
    if phrases:
        rank = rank + cast(tsv.op("@@")(_PHRASES), Integer) * PHRASE_BOOST
    return rank


@functools.cache
def _find_template(sort, phrases, kinds, board):
    doc = SearchDocument
    where = _matching(kinds, board)
    limit = bindparam("limit", type_=Integer)
    if sort == "date":
        return (select(doc.kind, doc.ref_id, literal(0.0), func.count().over())
                .where(*where).order_by(doc.created_at.desc(), doc.ref_id.desc()).limit(limit))
    found = (select(doc.kind, doc.ref_id, doc.created_at, doc.tsv).where(*where)
             .order_by(doc.created_at.desc(), doc.ref_id.desc())
             .limit(RANK_CAP + 1).subquery())
    score = _rank(found.c.tsv, phrases).label("score")
    return (select(found.c.kind, found.c.ref_id, score, func.count().over())
            .order_by(score.desc(), found.c.created_at.desc(), found.c.ref_id.desc())
            .limit(limit))


def _find(tsq, limit, sort, kinds, board_id):
    """(the statement for this shape, the values it is run with)."""
    sort = "date" if sort == "date" else "relevance"
    phrases = bool(tsq.phrases) and sort != "date"
    params = {"q": tsq.text, "limit": limit}
    if phrases:
        params["phrases"] = tsq.phrases
    if kinds:
        params["kinds"] = list(kinds)
    if board_id is not None:
        params["board_id"] = board_id
    return _find_template(sort, phrases, bool(kinds), board_id is not None), params


def find_statement(tsq, limit, sort="relevance", kinds=None, board_id=None):
    """The select of ((kind, id), score, matches) rows find() runs, its values bound."""
    statement, params = _find(tsq, limit, sort, kinds, board_id)
    return statement.params(params)


def find(tsq, limit, sort="relevance", kinds=None, board_id=None):
    """([((kind, id), score)] best first, total, whether total is exact)."""
    statement, params = _find(tsq, limit, sort, kinds, board_id)
    rows = db.session.execute(statement, params).all()
    total = rows[0][3] if rows else 0
    if sort == "date":
        return [((k, i), 0.0) for k, i, _s, _n in rows], total, True
    return [((k, i), float(s)) for k, i, s, _n in rows], min(total, RANK_CAP), total <= RANK_CAP


def search(qstring, kinds=None, board_id=None, sort="relevance", page=1, per_page=20):
    results, q = prepare(qstring, page, per_page)
    tsq = tsquery_of(q) if q is not None else None
    if tsq is None:
        return results
    sort = sort if sort in SORTS else "relevance"
    start = (page - 1) * per_page
    keyed, total, exact = find(tsq, start + per_page + 1, sort, kinds, board_id)
    hits = keyed[start:]
    results.total = max(total, start + len(hits))
    results.total_exact = exact
    results.has_next = len(hits) > per_page
    if page == 1 and results.total < SUGGEST_BELOW:
        results.suggestion = correct_query(Speller(), "text", results.query)
    results.items = present(hits[:per_page], query_terms(q))
    return results


def similar_ideas(title, board_id=None, limit=5, exclude_id=None, min_cover=MIN_COVER):
    qstring, _message = check(title)
    q = parse(qstring, ANY_WORDS, "title") if qstring else None
    tsq = tsquery_of(q) if q is not None else None
    if tsq is None:
        return []
    keyed, _total, _exact = find(tsq, limit * 3, kinds=["idea"], board_id=board_id)
    return shortlist(keyed, query_terms(q), limit, exclude_id, min_cover)


# ---- "did you mean" ----------------------------------------------------------------------

@functools.lru_cache(maxsize=64)
def _doc_frequencies(count):
    """How many documents match each of `count` words (bound as q0, q1... tsqueries), up
    to :cap each, in one statement. Built with SQLAlchemy, not as text: the page cache
    reads it as a read of search_documents, a live table, where text SQL is opaque and
    made a page with a suggestion stale at every commit."""
    cap = bindparam("cap", type_=Integer)

    def matching(n):
        found = (select(literal(1)).select_from(SearchDocument)
                 .where(SearchDocument.tsv.op("@@")(bindparam(f"q{n}", type_=TSQUERY)))
                 .limit(cap).subquery())
        return select(func.count()).select_from(found).scalar_subquery()

    return select(*[matching(n) for n in range(count)])


class Speller:
    """What analyzer.did_you_mean asks of a whoosh searcher, answered from search_words
    and search_documents, so both backends suggest alike."""

    def __init__(self):
        self.schema = {"text": self}

    def reader(self):
        return self

    def spelling_fieldname(self, fieldname):
        return fieldname

    def doc_frequency(self, fieldname, text):
        return self.doc_frequencies(fieldname, [text])[0]

    def doc_frequencies(self, _fieldname, words):
        """Each word's document count (up to DF_CAP), all in one statement."""
        if not words:
            return []
        params = {f"q{n}": _quote(word) for n, word in enumerate(words)}
        return list(db.session.execute(_doc_frequencies(len(words)),
                                       {**params, "cap": DF_CAP}).one())

    def terms_within(self, _fieldname, word, maxdist, prefix=1):
        head = word[:prefix]
        near = db.session.scalars(
            select(SearchWord.word).where(
                SearchWord.word >= head, SearchWord.word < head + "\uffff",
                func.length(SearchWord.word).between(len(word) - maxdist, len(word) + maxdist))
        ).all()
        return [w for w in near if w.startswith(head) and levenshtein(word, w, maxdist) <= maxdist]
