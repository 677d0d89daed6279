"""Text analysis for search: jieba words for Chinese, Porter stems for Latin words.

Use one analyzer for the field and let whoosh keep unstemmed words for "did you mean"::

    TEXT(analyzer=make_analyzer(), spelling=True)   # adds a hidden "spell_<field>" word list

Add phrase=False unless "quoted phrase" search is wanted: whoosh then stores no positions and
queries run ~30% faster (bench/search_analyzer_probe.py). Positions stay correct either way.

Chinese has no spaces, so Han runs are cut by jieba; everything else is split like whoosh's
RegexTokenizer (jieba itself would break "café" into "caf"/"é" and "don't" into 3 tokens).
Schemas are pickled into the index, so keep these names importable or rebuild the index.
"""

import functools
import logging
import re
from itertools import islice

import jieba
from whoosh.analysis import StemFilter, Token, Tokenizer
from whoosh.analysis.filters import STOP_WORDS as _EN_STOP

# porter2 (Snowball English): whoosh.lang.porter, StemFilter's default, fails to undouble
# consonants ("running" -> "runn", "stopped" -> "stopp"), so "run" would not find "running".
from whoosh.lang.porter2 import stem
from whoosh.support.levenshtein import distance

jieba.setLogLevel(logging.WARNING)  # jieba prints "Building prefix dict..." to stderr otherwise

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# group 1: a run of Han characters for jieba; otherwise a word ("3.5mm", "eSIM", "café").
_SPLIT = re.compile(rf"([{_HAN}]+)|[^\W{_HAN}]+(?:\.[^\W{_HAN}]+)*")
# Chinese IMEs often type full-width Latin ("ＮＦＣ"); fold it, length-preserving so offsets hold.
_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
# Only particles jieba leaves standing alone; single characters with meaning (表, 卡, 快) stay,
# which is also why there is no minimum token length.
_ZH_STOP = frozenset(
    ["的", "了", "和", "与", "及", "是", "在", "也", "都", "就", "吗", "呢", "吧", "啊", "呀", "着", "之"]
)
STOP_WORDS = _EN_STOP | _ZH_STOP | {"s", "t"}  # "s"/"t": leftovers of "it's", "don't"


def warm_up():
    """Load jieba's dictionary now (about 1 s, cached in the temp dir) rather than on the
    first request that indexes or searches Chinese text."""
    jieba.initialize()


def _spans(text, fine):
    """Yield (start, end, stacked): stacked spans share the position of the word before."""
    for m in _SPLIT.finditer(text):
        if m.group(1) is None:
            yield m.start(), m.end(), False
            continue
        i = m.start()
        for w in jieba.cut(m.group(1), HMM=True):
            n = len(w)
            yield i, i + n, False
            if fine and n > 2:
                # jieba's search mode: also index the dictionary words inside a long word, so
                # 门禁 finds 门禁卡. Stacked on one position, so phrase queries still line up.
                for k in (2, 3):
                    for j in range(n - k + 1 if n > k else 0):
                        if jieba.dt.FREQ.get(w[j : j + k]):
                            yield i + j, i + j + k, True
            i += n


class JiebaTokenizer(Tokenizer):
    """Lowercases and drops stop words itself, before numbering positions: whoosh's
    StopFilter renumbering would flatten the stacked search-mode words."""

    def __init__(self, stoplist=STOP_WORDS):
        self.stoplist = frozenset(stoplist)

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="", **kw):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kw)
        text = value.translate(_FULLWIDTH)
        # Fine-grained (search-mode) words only when indexing (and re-tokenizing for
        # highlights): a query keeps jieba's plain cut, which the index always contains too.
        spans = _spans(text, mode == "index") if tokenize else [(0, len(text), False)]
        pos = start_pos - 1
        for start, end, stacked in spans:
            word = text[start:end].lower()
            t.stopped = not stacked and word in self.stoplist
            if t.stopped and removestops:
                continue
            pos += not (stacked or t.stopped)  # kept stop words (for highlighting) take no slot
            t.text, t.boost = word, 1.0
            if keeporiginal:
                t.original = value[start:end]
            if positions:
                t.pos = pos
            if chars:
                t.startchar, t.endchar = start_char + start, start_char + end
            yield t


@functools.lru_cache(maxsize=65536)  # thread-safe, unlike StemFilter's own cache
def _stem_latin(word):
    # Porter only knows Latin-script suffixes; Han words pass through untouched.
    return stem(word) if word[0] < "\u0250" else word


def make_analyzer():
    """Field analyzer: jieba + lowercase + stop words + Porter stemming of Latin words."""
    return JiebaTokenizer() | StemFilter(stemfn=_stem_latin, cachesize=None)


def make_spelling_analyzer():
    """The same words unstemmed. whoosh already calls make_analyzer() with no_morph=True to
    fill a TEXT(spelling=True) field's word list; use this one to split a user's query into
    words for did_you_mean(), or for a separate unstemmed field if you prefer one."""
    return JiebaTokenizer()


def did_you_mean(searcher, fieldname, word, maxdist=2):
    """A better-known spelling of a Latin `word`, or None. Needs TEXT(spelling=True): the
    field's own terms are stems ("batteri"), useless to show. whoosh's ReaderCorrector ranks
    candidates almost alike (it scores maxdist, not the real distance, and looks unstemmed
    words up among stems), so rank here: closest, then most documents. The first letter must
    match (prefix=1), which keeps the scan of the word list short."""
    word = word.lower()
    if not word or not word[0].isalpha() or word[0] >= "\u0250" or len(word) < 4:
        return None  # edit distance means nothing for Han words, numbers or tiny words
    reader = searcher.reader()
    spellfield = searcher.schema[fieldname].spelling_fieldname(fieldname)
    near = [cand for cand in reader.terms_within(spellfield, word, maxdist, prefix=1)
            if cand != word]
    seen, *counts = doc_frequencies(searcher, fieldname, [word, *near])
    best = None
    for cand, df in zip(near, counts, strict=True):
        if df > 10 * seen:  # a rare word beaten by a far commoner neighbour
            key = (distance(word, cand), -df, cand)
            best = min(best or key, key)
    return best[2] if best else None


def doc_frequencies(searcher, fieldname, words):
    """How many documents hold each word (as the field stores it, stemmed). A searcher
    that can count many at once (pgquery.Speller: one statement) is asked once: a word
    can have a hundred near spellings, and one statement each was most of a search."""
    stems = [_stem_latin(word) for word in words]
    counts = getattr(searcher, "doc_frequencies", None)
    if counts is not None:
        return counts(fieldname, stems)
    reader = searcher.reader()
    if not reader.has_deletions():
        return [searcher.doc_frequency(fieldname, stem) for stem in stems]
    # whoosh counts a deleted document's words until its segment is merged away: a word
    # only a since hidden or deleted post held would still be suggested. Its postings
    # leave deleted documents out: counted up to LIVE_COUNT_CAP, as PostgreSQL's are.
    return [_live_count(reader, fieldname, stem) for stem in stems]


LIVE_COUNT_CAP = 1000


def _live_count(reader, fieldname, text):
    if (fieldname, text) not in reader:
        return 0
    return sum(1 for _ in islice(reader.postings(fieldname, text).all_ids(), LIVE_COUNT_CAP))


def correct_query(searcher, fieldname, qstring):
    """`qstring` with misspelt words replaced, or None when nothing needed correcting."""
    out, last, changed = [], 0, False
    for t in make_spelling_analyzer()(qstring, chars=True, mode="query"):
        fix = did_you_mean(searcher, fieldname, t.text)
        if fix:
            out += [qstring[last : t.startchar], fix]
            last, changed = t.endchar, True
    return "".join(out) + qstring[last:] if changed else None


def find_terms(text, terms, limit=20_000):
    """(start, end, term) for each place in `text` a query's analysed `terms` match, in
    order, for marking hits and measuring how much of a query a document holds.

    Cheaper than re-running the analyzer (no jieba cut): a Latin word matches when its
    stem is a term, and a Chinese term wherever it occurs, so 门禁 is found inside 门禁卡
    as the index's search-mode words found it. Only the first `limit` characters are read.
    """
    text = text[:limit].translate(_FULLWIDTH)
    latin = {t for t in terms if t and t[0] < "\u0250"}
    found = []
    if latin:
        for m in _SPLIT.finditer(text):
            if m.group(1) is None and (stem_ := _stem_latin(m.group().lower())) in latin:
                found.append((m.start(), m.end(), stem_))
    lower = text.lower()
    lower = lower if len(lower) == len(text) else text  # offsets must stay those of text
    for term in terms:
        if term and term[0] >= "\u0250":
            i = lower.find(term)
            while i >= 0:
                found.append((i, i + len(term), term))
                i = lower.find(term, i + len(term))
    found.sort()
    return found


def latin_words(text):
    """The distinct lower-cased Latin words of `text` (stop words left out), unstemmed: a
    body's word list for did_you_mean, which only corrects Latin words. A regex, not a
    second jieba pass over the body."""
    words = {m.group().lower() for m in _SPLIT.finditer(text.translate(_FULLWIDTH))
             if m.group(1) is None}
    return sorted(w for w in words if w[0] < "\u0250" and w not in STOP_WORDS)
