"""Small request helpers every blueprint uses: redirects, numbers, text, JSON bodies, errors.

Every number, plain text field and JSON body a request carries is read here, so a new
view cannot forget the checks: numbers are ASCII digits within bounds (`str.isdigit()` is
true for "²", which `int()` refuses), text has no control or bidi-override characters
(a NUL is refused by PostgreSQL), JSON is bounded in size and depth. Views read no
`request.form`, `request.values` or `request.args` field themselves (a test holds it).
"""

import json
import re
import unicodedata
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, request, url_for
from flask_babel import gettext as _

from ..kernel.errors import DomainError
from ..kernel.plaintext import clean_field
from .errorpages import MAX_ID

# Deeper than any body the API documents; json.loads itself recurses (RecursionError).
JSON_MAX_DEPTH = 32
MAX_PAGE = 1_000_000
_DIGITS = re.compile(r"[0-9]{1,19}")
_MISSING = object()


def safe_next(target, fallback="forum.index"):
    """Only a path on this site: never another host, scheme or protocol-relative URL, and
    no control characters (a CR/LF breaks the Location header; browsers drop tabs and
    newlines, so "/<tab>/evil.example" would become "//evil.example")."""
    if target and not any(unicodedata.category(c) == "Cc" for c in target):
        parts = urlsplit(target)
        if (not parts.scheme and not parts.netloc and target.startswith("/")
                and not target.startswith("//") and "\\" not in target):
            return target
    return url_for(fallback)


def next_url(fallback="forum.index", **values):
    """The request's `next` when it is safe, else `fallback` (an endpoint, built with
    `values`, or a URL starting with "/"). The one reader of `next` (a test holds it)."""
    target = request.values.get("next")  # raw: control characters refuse it outright
    if target and safe_next(target) == target:
        return target
    return fallback if fallback.startswith("/") else url_for(fallback, **values)


def redirect_next(fallback="forum.index", **values):
    return redirect(next_url(fallback, **values))


class BadNumber(DomainError):
    """A number in the request that is not ASCII digits within bounds: a 400."""

    code = "bad_query"


def whole_number(raw, minimum=1, maximum=MAX_ID):
    """`raw` as an int when it is ASCII digits 0-9 between the bounds, else None."""
    if raw is None or not _DIGITS.fullmatch(raw):
        return None
    number = int(raw)
    return number if minimum <= number <= maximum else None


def int_arg(name, default=_MISSING, *, minimum=1, maximum=MAX_ID, message=None, values=None):
    """The whole number `name` from the query string (or `values`, e.g. request.form).
    Absent: `default` (required when none is given). Anything but ASCII digits within
    [minimum, maximum] is a BadNumber (400 with `message`, naming the field; a function
    giving the message when it is dear to build, as a translation is: only a bad number
    needs it)."""
    values = request.args if values is None else values
    raw = values.get(name)
    if raw is None and default is not _MISSING:
        return default
    number = whole_number(raw, minimum, maximum)
    if number is None:
        raise BadNumber(message() if callable(message) else message or _(
            "%(name)s must be a whole number from %(min)d to %(max)d, in digits 0-9.",
            name=name, min=minimum, max=maximum), field=name)
    return number


def text_arg(name, default="", values=None):
    """The text field `name` of the query string (or `values`, e.g. request.form), or
    `default` when absent; cleaned as community/kernel/plaintext.py says for a field so named
    (a body, comment or reason keeps its line breaks, anything else is one line)."""
    values = request.args if values is None else values
    raw = values.get(name)
    return default if raw is None else clean_field(name, raw)


def form_text(name, default=""):
    """`text_arg` of the posted form."""
    return text_arg(name, default, request.form)


def form_texts(prefix):
    """Every posted field named `prefix...`, cleaned as form_text does: {rest of the name: text}."""
    return {name[len(prefix):]: form_text(name) for name in request.form if name.startswith(prefix)}


def page_arg(name="page"):
    """The ?page= number; anything but a whole number from 1 is a 400, not a 500."""
    return int_arg(name, 1, maximum=MAX_PAGE,
                   message=lambda: _("The page number must be a positive whole number."))


def json_value():
    """The request's body as JSON: 413 past JSON_MAX_BYTES, 400 `bad_json` when it is
    not JSON or nests deeper than JSON_MAX_DEPTH. One reader for every JSON body."""
    limit = current_app.config["JSON_MAX_BYTES"]
    request.max_content_length = min(request.max_content_length or limit, limit)
    data = request.get_data(cache=True)  # RequestEntityTooLarge (413) past the limit
    try:
        value = json.loads(data) if data else None
    except (ValueError, RecursionError):
        value = _MISSING
    if value is _MISSING or _too_deep(value):
        raise DomainError(_("The body is not JSON, or nests deeper than %(n)d levels.",
                            n=JSON_MAX_DEPTH), code="bad_json")
    return value


def _too_deep(value):
    # Iterative, so checking cannot recurse either.
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > JSON_MAX_DEPTH:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


def apply_error(form, error: DomainError):
    """Put a domain error next to its form field, or at the top of the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")


def flash_outcome(action, success):
    """Run a form post's use case: flash `success` (a message, or a function of the
    result), or the domain error's message. Returns the result, or None on error."""
    try:
        result = action()
    except DomainError as error:
        flash(error.message, "error")
        return None
    flash(success(result) if callable(success) else success, "success")
    return result


def form_numbers(name, limit=1000):
    """Every value posted as `name` (a list of checkboxes) as whole numbers; anything else,
    or more than `limit` of them, is a BadNumber (400)."""
    raw = request.form.getlist(name)
    numbers = [whole_number(value) for value in raw[:limit + 1]]
    if None in numbers or len(numbers) > limit:
        raise BadNumber(_("Pick items from the list."), field=name)
    return numbers


def to_waiting(held):
    """A post held for approval (kernel/errors.py HeldForApproval): tell its author, and
    show them where it waits."""
    flash(held.message, "info")
    return redirect(url_for("gatekeeping.mine"))
