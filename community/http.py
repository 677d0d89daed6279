"""Small request helpers every blueprint uses: redirects, page numbers, errors."""

from urllib.parse import urlsplit

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from .errors import DomainError


def safe_next(target, fallback="forum.index"):
    """Only a path on this site: never another host, scheme or protocol-relative URL."""
    if target:
        parts = urlsplit(target)
        if (not parts.scheme and not parts.netloc and target.startswith("/")
                and not target.startswith("//") and "\\" not in target):
            return target
    return url_for(fallback)


def redirect_next(fallback="forum.index"):
    return redirect(safe_next(request.values.get("next"), fallback))


def page_arg(name="page"):
    """The ?page= number; anything but a positive integer is a 400, not a 500."""
    raw = request.args.get(name, "1")
    if not raw.isdigit() or int(raw) < 1 or len(raw) > 9:
        abort(400, description=_("The page number must be a positive whole number."))
    return int(raw)


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
