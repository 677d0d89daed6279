"""whoosh's codec and BM25F, made faster for Fanforge's index (bench/search_bench.py).

Subclasses at whoosh's own extension points (Codec, Weighting): the same postings and the
same scores, read with fewer small file reads and Python calls. Segments pickle their
codec, so Codec must stay importable under this name (or rebuild the index).
"""

import io
import pickle
from bisect import bisect_left

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3LeafMatcher, W3PerDocReader, _lenfield
from whoosh.matching import ReadTooFar
from whoosh.scoring import BM25F, BaseScorer, BM25FScorer
from whoosh.system import _INT_SIZE, unpack_int
from whoosh.util.numeric import byte_to_length

# Postings per block: smaller blocks let two-word queries skip more (bench/search_bench.py).
BLOCK_LIMIT = 64
# Bytes read for a posting block's header (its length and a pickled tuple of ~40 bytes).
_HEAD_READ = 128

_LENGTHS = [None] + [byte_to_length(b) for b in range(1, 256)]


class _PerDocReader(W3PerDocReader):
    def has_column(self, fieldname):
        # whoosh asks this for every posting of a field without a lengths column (ID and
        # spelling fields) and stats a file each time: a third of a rebuild's time. The
        # answer cannot change while the reader is open.
        known = self.__dict__.setdefault("_known_columns", {})
        if fieldname not in known:
            known[fieldname] = super().has_column(fieldname)
        return known[fieldname]

    def doc_field_length(self, docnum, fieldname, default=0):
        # BM25 asks for a matching document's length at every score: whoosh seeks and
        # reads one byte from the file each time. The column is one byte a document
        # (100 kB at 100k documents), read whole once per segment reader.
        lengths = self.__dict__.setdefault("_lengths", {})
        if fieldname not in lengths:
            lengths[fieldname] = self._read_lengths(fieldname)
        column = lengths[fieldname]
        if column is None:
            return default
        return _LENGTHS[column[docnum]] if docnum < len(column) else None

    def lengths_column(self, fieldname):
        """The field's length bytes, one per document (None without a lengths column)."""
        self.doc_field_length(0, fieldname)
        return self._lengths[fieldname]

    def _read_lengths(self, fieldname):
        reader = self._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if reader is None:
            return None
        count = min(reader._count, self._doccount)
        raw = reader._dbfile.get(reader._basepos, count) if count else b""
        return bytes(raw) + bytes(self._doccount - count)


class _LeafMatcher(W3LeafMatcher):
    def _goto(self, position):
        # whoosh unpickles a block's header straight from the file, which reads it a few
        # bytes at a time (~20 small reads a block); read it in one go instead.
        head = self._postfile.get(position, _HEAD_READ)
        try:
            length = unpack_int(head[:_INT_SIZE])[0]
            buf = io.BytesIO(head)
            buf.seek(_INT_SIZE)
            # bandit B301, reviewed: the index's own file, written by whoosh.
            info = pickle.load(buf)  # nosec B301
        except Exception:  # a header longer than _HEAD_READ (never seen): whoosh's way
            return super()._goto(position)
        self._data = self._ids = self._weights = self._values = None
        self._i = 0
        self._lastblock = length < 0
        self._nextoffset = position + _INT_SIZE + abs(length)
        self._dataoffset = position + buf.tell()
        (self._blocklength, self._maxid, self._maxweight, self._compression, mnlen,
         mxlen) = info
        self._minlength = byte_to_length(mnlen)
        self._maxlength = byte_to_length(mxlen)

    def skip_to(self, targetid):
        # whoosh steps through a block one posting at a time (next(), is_active(), id()
        # each a Python call): a binary search made two-word queries ~2x faster.
        if self._atend:
            raise ReadTooFar
        if self._ids is None:
            self._read_ids()
        if targetid <= self._ids[self._i]:
            return
        while targetid > self._maxid:
            if self._lastblock:
                self._atend = True
                return
            self._goto(self._nextoffset)
        if self._ids is None:
            self._read_ids()
        self._i = bisect_left(self._ids, targetid, self._i if self._i < len(self._ids) else 0)


class Codec(W3Codec):
    """whoosh's codec with the cached column check and the faster skip_to. Segments
    pickle their codec, so this name must stay importable (or rebuild the index)."""

    def per_document_reader(self, storage, segment):
        return _PerDocReader(storage, segment)

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term, scorer)
        offset, length = terminfo.extent()
        return _LeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


def codec():
    return Codec(blocklimit=BLOCK_LIMIT)


class Weighting(BM25F):
    """whoosh's BM25F, scored from the segment's length bytes held in memory and a table
    per term: scoring a match was a quarter of a query's time, most of it calls through
    the searcher and reader to fetch one document's length."""

    def scorer(self, searcher, fieldname, text, qf=1):
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        perdoc = getattr(searcher.reader(), "_perdoc", None)
        if isinstance(scorer, BM25FScorer) and isinstance(perdoc, _PerDocReader):
            lengths = perdoc.lengths_column(fieldname)
            if lengths is not None:
                return _TableScorer(scorer, lengths)
        return scorer


class _TableScorer(BaseScorer):
    def __init__(self, inner, lengths):
        self.inner, self.lengths = inner, lengths
        k1, b, avgfl = inner.K1, inner.B, inner.avgfl
        self.idf_k1 = inner.idf * (k1 + 1)
        # The same arithmetic as whoosh.scoring.bm25, per possible length byte.
        self.norm = [k1 * ((1 - b) + b * (length or 1) / avgfl) for length in _LENGTHS]

    def score(self, matcher):
        tf = matcher.weight()
        return self.idf_k1 * tf / (tf + self.norm[self.lengths[matcher.id()]])

    def supports_block_quality(self):
        return self.inner.supports_block_quality()

    def max_quality(self):
        return self.inner.max_quality()

    def block_quality(self, matcher):
        return self.inner.block_quality(matcher)
