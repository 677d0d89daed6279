"""What user text may hold: no control characters and no bidi overrides.

A title with CR/LF or NUL breaks headers, mail subjects and PostgreSQL (which refuses
NUL in text); U+202E and its kin reorder what follows, so a name can read as another.
Single-line text (titles, names, every one-line form field and JSON field) loses them
all, a line break or tab becoming a space; multi-line text (bodies) keeps tabs and line
breaks. The forms base (community/web/forms.py), the API's JSON reader (community/api/core.py)
and the request reader for plain form and query fields (community/web/http.py `text_arg`)
apply these, the last two by field name (`clean_field`).
"""

# Embeddings, overrides and isolates (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI); the
# plain marks (LRM, RLM, ALM) stay: they reorder nothing and mixed-script text needs them.
BIDI_CONTROLS = [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]
CONTROLS = [*range(0x00, 0x20), *range(0x7F, 0xA0)]
LINE_BREAKS = "\t\n\r"

# Fields that hold several lines (as a form's text area does); every other field is
# single-line, and a password is taken as typed.
MULTI_LINE_FIELDS = frozenset({"body", "description", "response", "brief", "comment", "reason"})
VERBATIM_FIELDS = frozenset({"password"})

_MULTI_LINE = {c: None for c in CONTROLS + BIDI_CONTROLS if chr(c) not in LINE_BREAKS}
_SINGLE_LINE = _MULTI_LINE | {ord(c): " " for c in LINE_BREAKS}


def single_line(text):
    """`text` without control or bidi-override characters (line breaks become spaces)."""
    return text.translate(_SINGLE_LINE) if isinstance(text, str) else text


def multi_line(text):
    """`text` without NUL, other control characters or bidi overrides; keeps line breaks."""
    return text.translate(_MULTI_LINE) if isinstance(text, str) else text


def clean_field(name, value):
    """`value` cleaned as the field `name` holds it: multi-line, single-line or verbatim."""
    if name in VERBATIM_FIELDS:
        return value
    return (multi_line if name in MULTI_LINE_FIELDS else single_line)(value)
