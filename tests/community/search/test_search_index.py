"""The index's speed-ups change no result: the table scorer scores as whoosh's BM25F, the
one-read block header reads what whoosh reads, and title words weigh more."""

import pytest
from helpers import make_board, make_thread, make_user
from sqlalchemy import insert, select
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.scoring import BM25F
from whoosh.searching import Searcher

from community import search
from community.forum.models import Post, Thread
from community.kernel.database import transaction, utcnow
from community.kernel.extensions import db
from community.search import codec as search_codec
from community.search import index as search_index
from community.search.outbox import enqueue_select
from community.search.query import parse

WORDS = ["battery", "strap", "screen", "电池", "续航", "表盘", "nfc", "门禁卡"]
QUERIES = ["battery", "battery strap", "电池 续航", "nfc 门禁卡", "screen OR 表盘", '"battery strap"']


@pytest.fixture
def many(ctx):
    """300 threads (several posting blocks a word) in one transaction, drained."""
    board, author, now = make_board(), make_user(), utcnow()
    with transaction():
        ids = db.session.scalars(insert(Thread).returning(Thread.id), [
            {"board_id": board.id, "author_id": author.id, "created_at": now, "last_post_at": now,
             "title": " ".join(WORDS[(i + k) % len(WORDS)] for k in range(i % 3 + 1))}
            for i in range(300)]).all()
        db.session.execute(insert(Post), [
            {"thread_id": tid, "author_id": author.id, "position": 0, "created_at": now,
             "body": "x", "body_html": "<p>" + " ".join(WORDS[(n * 7 + k) % len(WORDS)]
                                                      for k in range(n % 11 + 2)) + "</p>"}
            for n, tid in enumerate(ids)])
        enqueue_select("thread", select(Thread.id))
    search.drain()
    return ids


def _results(searcher, limit=None):
    return [[(hit.docnum, round(hit.score, 9)) for hit in searcher.search(parse(q), limit=limit)]
            for q in QUERIES]


@pytest.mark.whoosh
def test_table_scorer_scores_as_bm25f(many):
    with search_index.get_index().reading() as searcher:
        assert isinstance(searcher.weighting, search_codec.Weighting)
        ours = _results(searcher)
        plain = Searcher(searcher.reader(), weighting=BM25F())
        assert _results(plain) == ours
        assert all(ours) and _results(searcher, limit=5) == [r[:5] for r in ours]


@pytest.mark.whoosh
def test_block_headers_read_in_one_go_read_what_whoosh_reads(many, monkeypatch):
    index = search_index.get_index()
    with index.reading() as searcher:
        ours = _results(searcher)
    index.close()
    monkeypatch.setattr(search_codec._LeafMatcher, "_goto", W3LeafMatcher._goto)
    with index.reading() as searcher:
        assert _results(searcher) == ours


def test_a_title_word_outweighs_a_body_word(ctx):
    with ctx.test_request_context():
        in_body = make_thread(title="Something else", body="About the salak fruit")
        in_title = make_thread(title="Salak", body="About something else entirely")
        search.drain()
        assert [h.id for h in search.search("salak").items] == [in_title.id, in_body.id]
