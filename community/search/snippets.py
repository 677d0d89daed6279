"""Marking matched words in a hit's current text: the title whole, the body as one
passage around the densest cluster of matches.

whoosh's own highlighter re-runs the analyzer (jieba) over each text and scores
fragments; for a page of 20 hits that was most of the page's time
(bench/search_bench.py), so this works from analyzer.find_terms instead.
"""

from markupsafe import Markup, escape

from .analyzer import find_terms

WIDTH = 160
LEAD = 40  # characters of context before the first match shown


def _marked(text, spans, start, end):
    out, at = [], start
    for s, e, _term in spans:
        if s < at or e > end:
            continue  # overlaps a mark already made, or runs past the passage
        out += [escape(text[at:s]), Markup("<mark>"), escape(text[s:e]), Markup("</mark>")]
        at = e
    out.append(escape(text[at:end]))
    return Markup("").join(out)


def mark(text, terms):
    """All of `text`, escaped, with matches in <mark>."""
    return _marked(text, find_terms(text, terms), 0, len(text))


def snippet(text, terms, width=WIDTH):
    """A passage of about `width` characters holding the most matches, escaped and marked;
    the start of the text when nothing matches."""
    spans = find_terms(text, terms)
    start = 0
    if spans:
        best, j = (0, 0), 0
        for i, (s, _e, _t) in enumerate(spans):  # the window starting at match i
            while j < len(spans) and spans[j][1] <= s + width - LEAD:
                j += 1
            best = max(best, (j - i, -s))
        start = max(0, -best[1] - LEAD)
        if start:  # begin at a word boundary
            space = text.find(" ", start, -best[1])
            start = space + 1 if space >= 0 else start
    end = min(len(text), start + width)
    body = _marked(text, spans, start, end)
    # bandit B704, reviewed: constant ellipses around escaped text.
    return Markup("…" if start else "") + body + Markup("…" if end < len(text) else "")  # nosec B704
