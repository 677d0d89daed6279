"""Ideas like the one a fan is typing: the duplicate finder on the new-idea form.

A title being typed is a handful of words, so any of them may match existing titles (an
OR that still ranks ideas holding more of them first); `cover` says which share of the
words an idea holds in its title and body, and `strong` is the bar for stopping a first
submit to show the list.
"""

from dataclasses import dataclass

from whoosh import qparser

from .analyzer import find_terms
from .index import get_index
from .query import check, filter_query, keys_of, load_docs, parse, query_terms, run
from .registry import KINDS

ANY_WORDS = qparser.OrGroup.factory(0.9)
MIN_COVER = 0.5
STRONG_COVER = 0.66


@dataclass
class SimilarIdea:
    id: int
    title: str
    url: str
    status: str
    votes: int
    score: float
    cover: float

    @property
    def strong(self):
        return self.cover >= STRONG_COVER


def similar_ideas(title, board_id=None, limit=5, exclude_id=None, min_cover=MIN_COVER):
    """Existing ideas (merged and hidden ones are not in the index) most like `title`."""
    qstring, _message = check(title)
    # Titles only: a duplicate shows in its title, and title postings are a fraction of
    # the body's, which keeps an OR of common words quick enough for every keystroke.
    q = parse(qstring, ANY_WORDS, "title") if qstring else None
    if q is None:
        return []
    keyed = get_index().read(lambda searcher: keys_of(
        searcher, run(searcher, q, limit * 3, filter=filter_query(["idea"], board_id)).hits))
    return shortlist(keyed, query_terms(q), limit, exclude_id, min_cover)


def shortlist(keyed, words, limit, exclude_id=None, min_cover=MIN_COVER):
    """SimilarIdeas for ranked ((kind, id), score) hits: those holding enough of `words`."""
    docs = load_docs([key for key, _score in keyed])
    out = []
    for key, score in keyed:
        doc = docs.get(key)
        if doc is None or doc.id == exclude_id:
            continue
        # The share of the typed words the idea holds, as its page shows them.
        held = {term for _s, _e, term in find_terms(f"{doc.title}\n{doc.body}", words)}
        cover = len(held) / len(words)
        if cover >= min_cover:
            out.append(SimilarIdea(doc.id, doc.title, KINDS["idea"].url(doc),
                                   doc.extra["status"], doc.extra["votes"], round(score, 4),
                                   round(cover, 2)))
    return out[:limit]
