"""Who is looking: the per-viewer bits of a page, left as holes and filled per response.

A page stored once and shown to many signed-in fans (community/pagecache.py) cannot
carry whose page it is: the header with their name and unread counts, which ideas they
voted for, which posts they liked, which of the posts are theirs. Templates mark those
bits instead of working them out:

- ``{{ per_user('account_nav') }}`` leaves a hole that a registered renderer fills with
  the viewer's own HTML;
- ``{% call(on) per_user_if('voted', idea.id) %}...{% endcall %}`` renders the block both
  ways; a registered predicate, asked once for every such hole of the page, picks one.

Every HTML response is filled just before it is sent, stored or not, so a rendered page
and a stored one take the same path. Markers are HTML comments, which escaped user text
and sanitised Markdown never contain.
"""

import re
from collections import defaultdict

from flask import has_request_context
from markupsafe import Markup

_RENDERERS = {}
_PREDICATES = {}
OPENING = b"<!--ff:"
# One literal prefix, so the scan of a long page is a fast substring search.
_HOLE = re.compile(
    rb"<!--ff:(?:r:(\w+):([\w.:-]*)-->"
    rb"|if:(\w+):([\w.:-]*)-->(.*?)<!--ff:else-->(.*?)<!--ff:end-->)", re.S)
_ARG = re.compile(r"[\w.:-]*")


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
    return Markup(f"<!--ff:r:{name}:{_arg(arg)}-->")


def per_user_if(name, arg, caller):
    if name not in _PREDICATES:
        raise KeyError(f"no predicate for per_user_if({name!r})")
    if not has_request_context():  # mail and jobs: nobody is looking
        return caller(False)
    yes, no = caller(True), caller(False)
    # A hole inside a variant would end the outer one at its own else/end marker.
    if OPENING.decode() in yes or OPENING.decode() in no:
        raise ValueError(f"per_user_if({name!r}): its block may not hold holes of its own")
    return Markup(f"<!--ff:if:{name}:{_arg(arg)}-->{yes}<!--ff:else-->{no}<!--ff:end-->")


def fill(body, user):
    """The page for `user` (a signed-in user or an anonymous one): every hole answered,
    each kind with one call for all of its holes. What a renderer gives back may have
    holes of its own (a panel's follow button): those are filled next."""
    for _depth in range(3):
        if OPENING not in body:
            break
        body = _fill_once(body, user)
    return body


def _fill_once(body, user):
    holes = list(_HOLE.finditer(body))
    wanted = defaultdict(set)
    for found in holes:
        if found.group(1) is not None:
            wanted["r", found.group(1).decode()].add(found.group(2).decode())
        else:
            wanted["if", found.group(3).decode()].add(found.group(4).decode())
    answers = {}
    for (kind, name), args in wanted.items():
        args = sorted(args)
        if kind == "r":
            answers[kind, name] = {arg: str(html).encode()
                                   for arg, html in _RENDERERS[name](user, args).items()}
        else:
            answers[kind, name] = {str(arg) for arg in _PREDICATES[name](user, args)}
    parts, done = [], 0
    for found in holes:
        parts.append(body[done:found.start()])
        if found.group(1) is not None:
            parts.append(answers["r", found.group(1).decode()].get(found.group(2).decode(), b""))
        else:
            chosen = found.group(4).decode() in answers["if", found.group(3).decode()]
            parts.append(found.group(5) if chosen else found.group(6))
        done = found.end()
    parts.append(body[done:])
    return b"".join(parts)


def init_app(app):
    app.add_template_global(per_user)
    app.add_template_global(per_user_if)
