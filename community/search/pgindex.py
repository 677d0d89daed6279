"""The PostgreSQL backend's writes: documents as weighted tsvectors, kept in step with
their rows inside the transaction that changes them.

Words come from the same analyzer as whoosh's (jieba for Chinese with its search-mode
sub-words stacked on one position, Porter stems for Latin words) and go into a tsvector
literal under the 'simple' rules: PostgreSQL's own parser never sees the text, so a Han
run is never one long "word". Title words weigh A, body words B.

Why in the transaction, not through the outbox: every host sees a post the moment it
commits (the outbox was drained into one host's files), a rollback leaves nothing to
undo, and there is no drain to run, lose or lock. Changes are gathered while the use case
runs (`note`) and applied just before COMMIT, after the use case's last write, reading
the rows as that transaction leaves them. An advisory lock per document, taken before
the read, orders two transactions changing parts of one document (a title and an
opening post): the second reads after the first commits, never writes an older read.
"""

import functools
import zlib
from collections import defaultdict

from sqlalchemy import BigInteger, delete, event, func, literal, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert

from ..kernel.database import transaction, utcnow
from ..kernel.extensions import db
from .analyzer import latin_words, make_analyzer
from .models import SearchDocument, SearchWord
from .registry import KINDS

PENDING = "fanforge_search_pending"
MAX_POSITION = 16383  # PostgreSQL's largest tsvector position
MAX_POSITIONS = 256  # positions kept per lexeme (PostgreSQL keeps no more)
MAX_LEXEME_BYTES = 2046
MAX_WORD = 64  # SearchWord.word
TITLE_GAP = 8  # body positions start this far past the title's: no phrase spans both


@functools.cache
def _analyzer():
    return make_analyzer()


def _quote(lexeme):
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_of(title, body):
    """A tsvector literal: each word's positions, weight A in the title, B in the body."""
    positions = defaultdict(list)
    start = 1
    for text, weight in ((title, "A"), (body, "B")):
        last = start
        for token in _analyzer()(text or "", positions=True, mode="index"):
            word = token.text
            if len(word.encode("utf-8")) > MAX_LEXEME_BYTES:
                continue
            last = min(start + token.pos, MAX_POSITION)
            held = positions[word]
            if len(held) < MAX_POSITIONS:
                held.append(f"{last}{weight}")
        start = min(last + TITLE_GAP, MAX_POSITION)
    return " ".join(f"{_quote(word)}:{','.join(held)}" for word, held in positions.items())


def row_of(doc, now):
    return {"kind": doc.kind, "ref_id": doc.id, "board_id": doc.board_id,
            "created_at": doc.created_at, "tsv": tsvector_of(doc.title, doc.body),
            "indexed_at": now}


# ---- in the changing transaction -------------------------------------------------------

def note(kind, ids):
    """These documents changed: index them as this transaction leaves them, at its commit."""
    db.session.info.setdefault(PENDING, set()).update((kind, i) for i in ids)


def connect():
    if not event.contains(db.session, "before_commit", _before_commit):
        event.listen(db.session, "before_commit", _before_commit)
        event.listen(db.session, "after_rollback", _after_rollback)


def _before_commit(session):
    pending = session.info.pop(PENDING, None)
    if pending:
        apply(pending)


def _after_rollback(session):
    session.info.pop(PENDING, None)


def _lock_key(kind, ref_id):
    return (zlib.crc32(kind.encode()) & 0x7FFF) << 40 | ref_id


def lock(pairs):
    """Advisory locks on these documents until the transaction ends, in one order (no
    two transactions wait on each other)."""
    keys = sorted({_lock_key(kind, ref_id) for kind, ref_id in pairs})
    if keys:
        key = func.unnest(literal(keys, ARRAY(BigInteger))).column_valued("k")
        db.session.execute(select(func.pg_advisory_xact_lock(key))).all()


def apply(pairs):
    """Index the current text of these (kind, id) documents; forget those their kind's
    loader leaves out (deleted, hidden, merged, or a kind no longer registered)."""
    lock(pairs)
    wanted = defaultdict(set)
    for kind, ref_id in pairs:
        wanted[kind].add(ref_id)
    now = utcnow()
    for kind_name, ids in sorted(wanted.items()):
        kind = KINDS.get(kind_name)
        docs = kind.load(sorted(ids)) if kind else {}
        write([docs[i] for i in sorted(docs)], now)
        gone = sorted(ids - docs.keys())
        if gone:
            db.session.execute(delete(SearchDocument).where(
                SearchDocument.kind == kind_name, SearchDocument.ref_id.in_(gone)))


def write(docs, now):
    if not docs:
        return
    stmt = pg_insert(SearchDocument)
    stmt = stmt.on_conflict_do_update(
        index_elements=[SearchDocument.kind, SearchDocument.ref_id],
        set_={c: stmt.excluded[c] for c in ("board_id", "created_at", "tsv", "indexed_at")})
    db.session.execute(stmt, [row_of(doc, now) for doc in docs])
    words = sorted({w for doc in docs for w in latin_words(f"{doc.title}\n{doc.body}")
                    if 3 <= len(w) <= MAX_WORD})
    if words:
        db.session.execute(pg_insert(SearchWord).on_conflict_do_nothing(),
                           [{"word": w} for w in words])


# ---- rebuilding --------------------------------------------------------------------------

def _ids(kind, batch):
    stmt = kind.ids()
    column = stmt.selected_columns[0]
    last = 0
    while True:
        ids = db.session.scalars(stmt.where(column > last).order_by(column).limit(batch)).all()
        db.session.rollback()
        if not ids:
            return
        yield ids
        last = ids[-1]


def rebuild(progress=None, batch=500):
    """Every searchable row again, a batch a transaction (searches meanwhile read the
    documents as they were, then as rewritten); rows no batch wrote since the start, and
    no change committed meanwhile, are removed at the end. Returns documents indexed."""
    started = utcnow()
    with transaction():
        db.session.execute(delete(SearchWord))
    indexed = 0
    for kind in list(KINDS.values()):
        for ids in _ids(kind, batch):
            with transaction():
                lock([(kind.name, i) for i in ids])
                docs = kind.load(ids)
                write([docs[i] for i in ids if i in docs], utcnow())
            indexed += len(docs)
            if progress:
                progress(len(ids))
    with transaction():
        db.session.execute(delete(SearchDocument).where(SearchDocument.indexed_at < started))
    return indexed
