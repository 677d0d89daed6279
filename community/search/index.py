"""The whoosh index: schema, opening, the write lock, and one searcher per thread.

Only this module and query.py know whoosh. The index is a directory (SEARCH_DIR,
instance/search by default) on one host; whoosh's write lock is a file lock, so
several gunicorn workers and CLI runs share it safely and a killed process drops it.
"""

import atexit
import calendar
import os
import threading
from collections import OrderedDict, defaultdict
from contextlib import contextmanager

from flask import current_app
from whoosh.fields import ID, NUMERIC, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, LockError
from whoosh.reading import EmptyReader, MultiReader, SegmentReader
from whoosh.searching import Searcher
from whoosh.system import pack_uint
from whoosh.util.filelock import try_for
from whoosh.writing import CLEAR

from community.kernel.dependencies import note_read

from .analyzer import latin_words, make_analyzer
from .codec import Weighting, codec
from .models import SearchOutbox

INDEX_NAME = "MAIN"
# A title word weighs as much as this many body words in "text".
TITLE_WEIGHT = 3.0
# Answers kept per process for the held searcher (SearchIndex.read's key=).
ANSWERS_KEPT = 256


class DocText(TEXT):
    """A document's title and body as one field, indexed from a (title, body) pair: each
    title word weighs TITLE_WEIGHT. Queries match one term per word, where a title field
    and a body field made every word an OR of two (plus a boost wrapper), which was most
    of a two-word query's time (bench/search_bench.py). Its did-you-mean word list holds
    only Latin words, found without running jieba a second time."""

    def index(self, value, **kwargs):
        title, body = value
        freqs, weights = defaultdict(int), defaultdict(float)
        for text, weight in ((title, TITLE_WEIGHT), (body, 1.0)):
            if text:
                for token in self.analyzer(text, mode="index"):
                    freqs[token.text] += 1
                    weights[token.text] += weight
        boost = self.format.field_boost
        for word, freq in freqs.items():
            yield word.encode("utf-8"), freq, weights[word] * boost, pack_uint(freq)

    def spellable_words(self, value):
        return latin_words("\n".join(value))


def make_schema():
    analyzer = make_analyzer()
    return Schema(
        key=ID(unique=True, stored=True),  # "idea:12": what update/delete address
        kind=ID,
        board=ID,
        # What words match and rank by. No positions: queries run ~30% faster and the
        # index is ~40% smaller without them.
        text=DocText(analyzer=analyzer, phrase=False, spelling=True),
        # Titles alone, with positions: a "quoted phrase" found in a title, and the
        # similar-ideas lookup, which reads titles only.
        title=TEXT(analyzer=analyzer),
        created=NUMERIC(int, bits=64, signed=False, sortable=True),
    )


def fields_of(doc):
    return {"key": doc.key, "kind": doc.kind, "board": str(doc.board_id or ""),
            "text": (doc.title or "", doc.body or ""), "title": doc.title,
            # Naive UTC in the database: seconds since the epoch, read as UTC.
            "created": calendar.timegm(doc.created_at.timetuple()) if doc.created_at else 0}


class SearchIndex:
    def __init__(self, path):
        self.path = path
        self.storage = None
        self._ix = None
        self._held = None  # (searcher, generation)
        self._answers = OrderedDict()  # key -> what work(searcher) gave, least recent first
        self._read_lock = threading.RLock()

    def open(self):
        """The index, created on first use. Creation holds a lock of its own: whoosh's
        create_in deletes what is there, so two workers must not both create it. The
        index object is kept: opening one unpickles the schema, analyzers and all."""
        if self._ix is not None:
            return self._ix
        if self.storage is None:
            os.makedirs(self.path, exist_ok=True)
            # Plain reads, not mmap: whoosh-reloaded copies a mapped segment into a BytesIO
            # on every open (~100 ms and the whole segment per searcher at 100k documents).
            self.storage = FileStorage(self.path, supports_mmap=False)
        if not self.storage.index_exists(INDEX_NAME):
            lock = self.storage.lock("CREATE_LOCK")
            lock.acquire(blocking=True)
            try:
                if not self.storage.index_exists(INDEX_NAME):
                    self.storage.create_index(make_schema(), indexname=INDEX_NAME)
            finally:
                lock.release()
        self._ix = self.storage.open_index(INDEX_NAME)
        return self._ix

    @contextmanager
    def writer(self, timeout=0.0, **kwargs):
        """A Batch under whoosh's write lock; None when another process holds the lock and
        `timeout` seconds pass (0: don't wait). The caller may commit it inside the block
        and then do what must happen before the next writer starts (a drain deletes the
        outbox rows it applied, so no other drain applies them again); whatever is left
        uncommitted is committed on leaving the block, and the lock released."""
        ix = self.open()
        lock = ix.lock("WRITELOCK")
        if not try_for(lambda: lock.acquire(blocking=False), timeout=timeout, delay=0.05):
            yield None
            return
        try:
            batch = Batch(ix.writer(_lk=False, codec=codec(), **kwargs))
            try:
                yield batch
            except BaseException:
                batch.cancel()
                raise
            batch.commit()
        finally:
            lock.release()

    @contextmanager
    def rebuilding(self, timeout=30.0, procs=1):
        """A Batch whose commit replaces the whole index. The lock is held throughout, so
        drains meanwhile leave their rows for later instead of writing into the old index.
        A changed schema (a new analyzer, a new field) is written fresh."""
        ix = self.open()
        lock = ix.lock("WRITELOCK")
        if not try_for(lambda: lock.acquire(blocking=False), timeout=timeout, delay=0.1):
            raise LockError("the search index is locked by another writer")
        try:
            schema = make_schema()
            if ix.schema != schema:
                # Readers see an empty index until the commit, then the new one.
                TOC(schema, [], ix.latest_generation() + 1).write(self.storage, INDEX_NAME)
            kwargs = {}
            if procs > 1:  # sub-writers get only subargs (they must not see _lk twice)
                kwargs = {"procs": procs, "multisegment": True,
                          "subargs": {"codec": codec(), "limitmb": 128}}
            writer = ix.writer(_lk=False, codec=codec(), limitmb=256, **kwargs)
            batch = Batch(writer, mergetype=CLEAR)
            try:
                yield batch
            except BaseException:
                writer.cancel()
                raise
            batch.commit()
        finally:
            lock.release()

    @contextmanager
    def reading(self):
        """The process's searcher, for one search at a time: its files are read with seek
        and read, which threads must not interleave (the GIL serialises the work anyway).
        It is reopened only when the index has a new generation, keeping unchanged
        segments (a first query on fresh segments costs 15-70 ms more)."""
        # A page that shows what the index answers is stale once the index changes: every
        # change passes through the outbox, whose rows the drain deletes after it.
        note_read(SearchOutbox.__tablename__)
        with self._read_lock:
            ix = self.open()
            if self._held is None or self._held[1] != ix.latest_generation():
                self._held = _reopen(ix, self._held[0] if self._held else None)
                self._answers.clear()
            yield self._held[0]

    def read(self, work, tries=3, key=None):
        """work(searcher) on the latest generation. Another process's commit deletes the
        files of segments it merged away: a searcher opened from the table of contents
        just before (or holding a segment whose files it opens lazily) finds one gone.
        That costs a fresh searcher and another try, never a failed search.

        With a key (everything the answer depends on besides the index), work returns
        (answer, whether to keep it), and a kept answer is given again until the index
        changes: the long tail's head asks the same few words again and again, and
        scoring a two-word query over 500k documents costs ~7 ms, where the same answer
        kept costs a dict lookup (what Solr's queryResultCache does)."""
        for attempt in range(tries):
            try:
                with self.reading() as searcher:
                    if key is None:
                        return work(searcher)
                    return self._answer(key, work, searcher)
            except FileNotFoundError:
                if attempt == tries - 1:
                    raise
                self.close()
        return None

    def _answer(self, key, work, searcher):
        # Called holding _read_lock, which also guards _answers.
        answers = self._answers
        if key in answers:
            answers.move_to_end(key)
            return answers[key]
        answer, keep = work(searcher)
        if keep:
            answers[key] = answer
            if len(answers) > ANSWERS_KEPT:
                answers.popitem(last=False)
        return answer

    def close(self):
        with self._read_lock:
            if self._held is not None:
                self._held[0].close()
                self._held = None
            self._answers.clear()


def _reopen(ix, old):
    """(searcher, generation) for the latest generation, keeping the old searcher's
    segment readers whose segment is unchanged. whoosh's own Searcher.refresh() is not
    used: it keeps segments merged away and misses deletions made since (it compares
    segments by id only), so an edited document could show twice."""
    toc = ix._read_toc()
    spare = {}
    if old is not None:
        for reader, _offset in old.reader().leaf_readers():
            if (segment := reader.segment()) is not None:
                spare[segment.segment_id(), segment.deleted_count()] = reader
    readers = [spare.pop((seg.segment_id(), seg.deleted_count()), None)
               or SegmentReader(ix.storage, toc.schema, seg, generation=toc.generation)
               for seg in toc.segments]
    for reader in spare.values():
        reader.close()
    if not readers:
        reader = EmptyReader(toc.schema)
    elif len(readers) == 1:
        reader = readers[0]
    else:
        reader = MultiReader(readers, generation=toc.generation)
    return Searcher(reader, weighting=Weighting(), fromindex=ix), toc.generation


class Batch:
    """Index these documents, forget those: the backend interface a drain writes through."""

    def __init__(self, writer, mergetype=None):
        self.writer = writer
        self.mergetype = mergetype
        self.count = 0
        self.done = False

    def index(self, doc, new=False):
        # A rebuild adds to an empty index: no need to look for an old version.
        (self.writer.add_document if new else self.writer.update_document)(**fields_of(doc))
        self.count += 1

    def forget(self, key):
        self.writer.delete_by_term("key", key)
        self.count += 1

    def commit(self):
        """Commit (once: later calls do nothing)."""
        if self.done:
            return
        self.done = True
        if self.mergetype is not None:
            self.writer.commit(mergetype=self.mergetype)
        elif self.count:
            self.writer.commit()
        else:
            self.writer.cancel()

    def cancel(self):
        if not self.done:
            self.done = True
            self.writer.cancel()


_indexes = {}
_indexes_lock = threading.Lock()


@atexit.register
def _close_all():
    # Close files before the interpreter's own teardown finds them open.
    for index in list(_indexes.values()):
        index.close()


def get_index(path=None):
    """The SearchIndex of this app's SEARCH_DIR (one object per directory and process)."""
    path = os.path.abspath(path or current_app.config["SEARCH_DIR"])
    with _indexes_lock:
        if path not in _indexes:
            _indexes[path] = SearchIndex(path)
        return _indexes[path]
