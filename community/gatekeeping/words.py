"""Matching watched words: pure functions, no database.

A plain word matches case-insensitively. Latin, Greek and Cyrillic letters and digits at its
ends need a word boundary there ("spam" is not in "spammer"); Chinese, Japanese and other
text without spaces between words is matched as a substring ("代购" anywhere), so
"买spam了" holds "spam" too. Text is also checked after NFKC folding, so full-width
"ＳＰＡＭ" is "spam".

Staff's patterns run on the `regex` library with a timeout (MATCH_TIMEOUT seconds per
text): whatever a pattern does, it cannot hold a request. A pattern is checked when saved
(check_pattern): it must compile, stay under PATTERN_MAX characters, not match empty text,
and finish on adversarial input within SAVE_TIMEOUT. A pattern that still runs out of time
on a real post counts as matched for "block" and "hold" (staff look at it), and is skipped
for "replace".
"""

import unicodedata
from functools import lru_cache
from typing import NamedTuple

import regex

MATCH_TIMEOUT = 0.05
SAVE_TIMEOUT = 0.05
FLAGS = regex.IGNORECASE | regex.UNICODE
# Letters that separate words with spaces: a plain word starting or ending with one of
# these needs a boundary there.
_WORDISH = r"[\p{Latin}\p{Greek}\p{Cyrillic}\p{N}_]"
# Inputs that make backtracking patterns run away, tried when a pattern is saved.
_ADVERSARIAL = ("a" * 3000 + "!", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!" * 50, " " * 3000 + "x",
                "ab" * 1500 + "\n", "1" * 3000 + "a", "中文" * 1500 + "!")


class Entry(NamedTuple):
    id: int
    action: str
    label: str  # the word or pattern as staff wrote it
    compiled: object
    replacement: str


class BadPattern(ValueError):
    """Why a word or pattern cannot be saved (a message for staff)."""


def fold(text):
    return unicodedata.normalize("NFKC", text or "").casefold()


def _is_wordish(char):
    return regex.fullmatch(_WORDISH, char) is not None


@lru_cache(maxsize=4096)
def compile_word(pattern, is_regex):
    if is_regex:
        return regex.compile(pattern, FLAGS)
    word = fold(pattern.strip())
    source = regex.escape(word)
    if word and _is_wordish(word[0]):
        source = rf"(?<!{_WORDISH})" + source
    if word and _is_wordish(word[-1]):
        source += rf"(?!{_WORDISH})"
    return regex.compile(source, FLAGS)


def check_pattern(pattern, is_regex, max_length):
    """The pattern as it will be saved; raises BadPattern."""
    from_staff = (pattern or "").strip()
    if not from_staff:
        raise BadPattern("empty")
    if len(from_staff) > max_length:
        raise BadPattern("long")
    if not is_regex:
        return from_staff
    try:
        compiled = regex.compile(from_staff, FLAGS)
    except (regex.error, OverflowError, RecursionError):
        raise BadPattern("syntax") from None
    if compiled.search("") is not None:
        raise BadPattern("empty_match")
    try:
        for sample in _ADVERSARIAL:
            compiled.search(sample, timeout=SAVE_TIMEOUT)
    except TimeoutError:
        raise BadPattern("slow") from None
    return from_staff


def build(rows):
    """Entries for rows of (id, pattern, is_regex, action, replacement)."""
    entries = []
    for id_, pattern, is_regex, action, replacement in rows:
        try:
            compiled = compile_word(pattern, is_regex)
        except regex.error:
            continue  # saved before a library change made it invalid: skipped, not fatal
        entries.append(Entry(id_, action, pattern, compiled, replacement or ""))
    return entries


def _found(entry, text):
    try:
        return any(entry.compiled.search(variant, timeout=MATCH_TIMEOUT) is not None
                   for variant in {text, fold(text)})
    except TimeoutError:
        return entry.action != "replace"


def matches(entries, text, action):
    """The entries of this action that the text matches."""
    return [e for e in entries if e.action == action and text and _found(e, text)]


def replace(entries, text):
    """The text with every "replace" entry's matches swapped for its replacement."""
    for entry in entries:
        if entry.action != "replace" or not text:
            continue
        try:
            text = entry.compiled.sub(lambda _m, e=entry: e.replacement, text,
                                      timeout=MATCH_TIMEOUT)
        except TimeoutError:
            continue
    return text
