"""How alike two posts are: Jaccard similarity of character shingles. Pure functions.

Text is folded (NFKC, case), stripped of everything but letters and digits (so spacing,
punctuation and markdown do not hide a copy), cut to its first MAX_CHARS characters and
cut into overlapping SHINGLE-character pieces; two texts' similarity is
|A ∩ B| / |A ∪ B| of their pieces, from 0 (nothing shared) to 1 (the same). Characters,
not words, so Chinese (no spaces) and English are measured alike. Texts shorter than
MIN_CHARS after folding are never compared: "谢谢" and "+1" are not floods.
Cost: linear in the text, at most MAX_CHARS per post.
"""

import unicodedata

SHINGLE = 3
MAX_CHARS = 2000
MIN_CHARS = 20


def normalise(text):
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    kept = "".join(c for c in folded if unicodedata.category(c)[0] in "LN")
    return kept[:MAX_CHARS]


def shingles(text):
    """The text's pieces, or an empty set when it is too short to judge."""
    kept = normalise(text)
    if len(kept) < MIN_CHARS:
        return frozenset()
    return frozenset(kept[i:i + SHINGLE] for i in range(len(kept) - SHINGLE + 1))


def jaccard(a, b):
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def copies(text, earlier, threshold):
    """How many of the `earlier` texts are at least `threshold` alike to `text`."""
    mine = shingles(text)
    if not mine:
        return 0
    return sum(1 for other in earlier if jaccard(mine, shingles(other)) >= threshold)
