"""Who is looking: the per-viewer bits of a page, left as holes and filled per response.

A page stored once and shown to many signed-in fans (community/web/pagecache/serving.py) cannot
carry whose page it is: the header with their name and unread counts, which ideas they
voted for, which posts they liked, which of the posts are theirs. Templates mark those
bits instead of working them out:

- ``{{ per_user('account_nav') }}`` leaves a hole that a registered renderer fills with
  the viewer's own HTML;
- ``{% call(on) per_user_if('voted', idea.id) %}...{% endcall %}`` renders the block both
  ways; a registered predicate, asked once for every such hole of the page, picks one.

Renderers and predicates are given the real reader: they run per response. A renderer
whose HTML is worth keeping for every reader alike (a widget that costs a render) keeps it
with remember(name, arg, facts, draw): `facts` is a NamedTuple of all the HTML shows of
its reader, and draw(facts) is all it is given of them; current_user, the session and the
cookies are out of reach while it draws (a read raises PersonalRead in tests), so two
readers with equal facts are shown the same HTML and neither's name can be in it.

Every HTML response is filled just before it is sent, stored or not, so a rendered page
and a stored one take the same path. Markers are HTML comments, which escaped user text
and sanitised Markdown never contain, and they carry a nonce no reader knows
(community/web/pagecache/markers.py), so even text that reached a page raw would not be filled.
"""

import logging
import re
from collections import defaultdict

from flask import g, has_request_context
from markupsafe import Markup

from community.kernel import dependencies
from community.kernel.recent import Recent

from .audience import PersonalRead, reader_absent, strict
from .markers import markers
from .tokens import drawing_holes

log = logging.getLogger(__name__)

_RENDERERS = {}
_PREDICATES = {}
# A marker is <!--ff<nonce>:r:name:arg--> or <!--ff<nonce>:if:name:arg-->yes
# <!--ff<nonce>:else-->no<!--ff<nonce>:end-->.
_ELSE, _END = b"else-->", b"end-->"
_ARG = re.compile(r"[\w.:-]*")
# A hole's HTML as drawn for a set of reader facts: the last ones, per worker.
_KEPT = Recent(512)
# Kept holes that read their reader, warned of once per worker (outside strict mode).
_WARNED = set()
# Stored pages as parsed, by their cache key (a key's page never changes), per worker.
_PARSED = Recent(128)


def register_renderer(name, function):
    """function(user, args) -> {arg: html} for the ``per_user(name, arg)`` holes of a page."""
    _RENDERERS[name] = function


def register_predicate(name, function):
    """function(user, args) -> the args (strings) for which ``per_user_if`` is true."""
    _PREDICATES[name] = function


def _arg(value):
    text = str(value)
    if not _ARG.fullmatch(text):
        raise ValueError(f"a hole's argument is letters, digits, '.', ':' or '-': {text!r}")
    return text


def per_user(name, arg=""):
    if name not in _RENDERERS:
        raise KeyError(f"no renderer for per_user({name!r})")
    if not has_request_context():  # mail and jobs: nobody is looking
        return Markup("")
    # bandit B704, reviewed: name and arg are checked code words.
    return Markup(f"{markers().opening}r:{name}:{_arg(arg)}-->")  # nosec B704


def per_user_if(name, arg, caller):
    if name not in _PREDICATES:
        raise KeyError(f"no predicate for per_user_if({name!r})")
    if not has_request_context():  # mail and jobs: nobody is looking
        return caller(False)
    yes, no = caller(True), caller(False)
    opening = markers().opening
    # A hole inside a variant would end the outer one at its own else/end marker.
    if opening in yes or opening in no:
        raise ValueError(f"per_user_if({name!r}): its block may not hold holes of its own")
    # bandit B704, reviewed: checked code words around Markup blocks.
    return Markup(f"{opening}if:{name}:{_arg(arg)}-->{yes}{opening}else-->{no}{opening}end-->")  # nosec B704


def fill(body, user, key=None):
    """The page for `user` (a signed-in user or an anonymous one): every hole answered,
    each kind with one call for all of its holes. What a renderer gives back may have
    holes of its own (a panel's follow button): those are filled next.

    `key` names a body that never changes (a stored page's cache key): its parse is
    kept, so every later reader of that page skips it."""
    opening = markers().opening_bytes
    for depth in range(3):
        if opening not in body:
            break
        body = _fill_once(body, user, opening, key if depth == 0 else None)
    return body


def remember(name, arg, facts, draw):
    """The HTML of the hole `name` for a reader of these `facts`, kept per worker while
    the page it was drawn on stays fresh (serving.py notes the page as g.hole_page), so a
    reader's hole costs their facts' query rather than a render.

    `arg` is what the HTML shows besides its reader (the hole's argument, the path a form
    sends back to). `facts` is a NamedTuple of everything it shows of its reader (a count
    they hold, whether they co-create). draw(facts) gets them as its reader: the real one
    is out of reach meanwhile (audience.reader_absent), so readers with equal facts are
    given equal HTML. Reading current_user, the session or a cookie while drawing raises
    PersonalRead in strict mode (tests); otherwise it makes this HTML its reader's alone,
    drawn every time, and a warning is logged once per worker. Tokens drawn meanwhile
    are placeholders filled per response; anything else of the reader's own (their
    referral code) is a hole of its own in the HTML, filled in the next pass. Without a
    page (one that is never stored), draw(facts) every time.

    What draw() reads joins the page's own reads while the page is drawn; drawn later
    (a reader with new facts, on a hit), it is kept only if the page read all of it too,
    so a write that makes it stale makes the page stale."""
    if not (isinstance(facts, tuple) and hasattr(facts, "_fields")):
        raise TypeError(f"remember({name!r}): facts are a NamedTuple, not {type(facts).__name__}")
    if not has_request_context():  # mail and jobs: nobody is looking
        return draw(facts)
    page = g.get("hole_page")
    try:
        if page is None:
            return _drawn(name, facts, draw)
        key = (page[0], page[1], name, arg, facts)
        html = _KEPT.peek(key)
        if html is not None:
            return html
        with dependencies.recording() as reads:
            html = _drawn(name, facts, draw)
    except _ReadItsReader as own:
        return own.html
    pending = g.get("page_reads")
    if page[2] is None and pending is not None:  # the page is being drawn: part of it
        pending.keys |= reads.keys
        pending.private |= reads.private
        pending.private_tables |= reads.private_tables
    elif page[2] is None or reads.private or not reads.keys <= page[2]:
        return html
    _KEPT.put(key, html)
    return html


class _ReadItsReader(Exception):
    """A kept hole's draw read its reader: the HTML is theirs alone, and not kept."""

    def __init__(self, html):
        super().__init__()
        self.html = html


def _drawn(name, facts, draw):
    """draw(facts), with nothing of the reader about but the facts."""
    reads = []

    def on_read(what):
        if strict():
            raise PersonalRead(
                f"the kept hole {name!r} read {what} while drawn. It is shown to every reader "
                f"with equal facts: declare what it shows of them in its facts "
                f"({type(facts).__name__}) and draw from those.")
        reads.append(what)

    with drawing_holes(), reader_absent(on_read):
        html = draw(facts)
    if reads:
        if name not in _WARNED:
            _WARNED.add(name)
            log.warning("The kept hole %r read %s while drawn: it is drawn for every reader "
                        "until its facts say what it shows of them", name, reads[0])
        raise _ReadItsReader(html)
    return html


def _parse(body, opening):
    """The page as a list: bytes for text, ("r", name, arg) for a renderer's hole and
    ("if", name, arg, yes, no) for a choice. Splitting at the markers is a C loop over
    the page, several times faster than a regular expression's lazy scan; anything
    that is not a whole marker stays text."""
    pieces = body.split(opening)
    parts, i = [pieces[0]], 1
    while i < len(pieces):
        head, closed, rest = pieces[i].partition(b"-->")
        kind, _, spec = head.partition(b":")
        name, _, arg = spec.decode(errors="replace").partition(":")
        whole = closed and _ARG.fullmatch(arg)
        if whole and kind == b"r" and name in _RENDERERS:
            parts += [("r", name, arg), rest]
            i += 1
        elif (whole and kind == b"if" and name in _PREDICATES and i + 2 < len(pieces)
                and pieces[i + 1].startswith(_ELSE) and pieces[i + 2].startswith(_END)):
            parts += [("if", name, arg, rest, pieces[i + 1][len(_ELSE):]),
                      pieces[i + 2][len(_END):]]
            i += 3
        else:
            parts.append(opening + pieces[i])
            i += 1
    return parts


def _parsed(body, opening, key):
    """(parts, {(kind, name): sorted args}) of a page, kept by `key` when there is one."""
    if key is not None:
        return _PARSED.get(key, lambda: _parsed(body, opening, None))
    parts = _parse(body, opening)
    wanted = defaultdict(set)
    for part in parts:
        if type(part) is tuple:
            wanted[part[0], part[1]].add(part[2])
    return parts, {kind_name: tuple(sorted(args)) for kind_name, args in wanted.items()}


def _fill_once(body, user, opening, key=None):
    parts, wanted = _parsed(body, opening, key)
    answers = {}
    for (kind, name), args in wanted.items():
        if kind == "r":
            answers[kind, name] = {arg: str(html).encode()
                                   for arg, html in _RENDERERS[name](user, args).items()}
        else:
            answers[kind, name] = {str(arg) for arg in _PREDICATES[name](user, args)}
    out = []
    for part in parts:
        if type(part) is not tuple:
            out.append(part)
        elif part[0] == "r":
            out.append(answers["r", part[1]].get(part[2], b""))
        else:
            out.append(part[3] if part[2] in answers["if", part[1]] else part[4])
    return b"".join(out)


def init_app(app):
    app.add_template_global(per_user)
    app.add_template_global(per_user_if)
