"""Error pages: styled HTML for people, `{"error": {"code", "message"}}` for the API."""

from contextlib import suppress
from functools import wraps

import psycopg.errors
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.routing import IntegerConverter

from ..kernel.errors import DomainError, HeldForApproval
from ..kernel.extensions import db
from . import outages
from .pagecache import not_shared

TITLES = {
    400: _l("Bad request"), 403: _l("Not allowed"), 404: _l("Not found"),
    405: _l("Method not allowed"), 409: _l("Conflict"), 413: _l("Too large"),
    422: _l("Check your input"), 429: _l("Too many requests"), 500: _l("Something went wrong"),
}
CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 409: "conflict", 413: "too_large", 422: "invalid",
         429: "rate_limited", 500: "server_error", 503: "unavailable",
         507: "insufficient_storage"}


def wants_json():
    return (request.path == "/api" or request.path.startswith("/api/")
            or request.accept_mimetypes.best == "application/json")


def error_response(status, message, code=None, **details):
    if wants_json():
        error = {"code": code or CODES.get(status, "error"), "message": message}
        # e.g. the field(s) at fault of a ValidationError
        error.update({key: value for key, value in details.items() if value})
        return {"error": error}, status
    template = f"errors/{status}.html" if status in (403, 404, 429, 500) else "errors/generic.html"
    return render_template(template, status=status, title=TITLES.get(status, _("Error")),
                           message=message), status


def handle_http(error: HTTPException):
    message = error.description if error.description else ""
    if error.code == 429:
        message = _("You are doing that too often. Wait a minute and try again.")
    elif error.code == 404 and message.startswith("The requested URL was not found"):
        message = _("There is nothing at this address.")
    elif error.code == 403 and message.startswith("You don't have the permission"):
        message = _("You are not allowed to do that.")
    elif error.code == 413:
        message = _("What you sent is too large.")
    elif error.code == 405:
        message = _("This address does not accept the %(method)s method.", method=request.method)
    response = error_response(error.code or 500, message)
    if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        body, status = response
        return body, status, {"Allow": ", ".join(error.valid_methods)}
    if getattr(error, "retry_after", None):  # 429 and 503 may say when to come back
        body, status = response
        return body, status, {"Retry-After": str(error.retry_after)}
    return response


def handle_domain(error: DomainError):
    db.session.rollback()
    return error_response(error.status, error.message, error.code, field=error.field,
                          fields=getattr(error, "fields", None))


def handle_held(held: HeldForApproval):
    """A post kept for approval, where its view did not say so itself: the API answers 202
    with the held post's id; a page tells its author and shows where it waits."""
    db.session.rollback()
    if wants_json():
        return {"held": {"id": held.held_id, "code": held.code, "message": held.message}}, 202
    flash(held.message, "info")
    return redirect(url_for("gatekeeping.mine"))


def handle_csrf(error: CSRFError):
    return error_response(400, _("This form has expired or was sent from elsewhere. "
                                 "Reload the page and try again."), "csrf_failed")


def handle_500(error: InternalServerError):
    db.session.rollback()
    current_app.logger.exception("Unhandled error", exc_info=error.original_exception)
    return error_response(500, _("We are sorry: something broke on our side. Try again soon."))


def handle_database(error: exc.SQLAlchemyError):
    """The database unreachable (503) or its disk full (507): said plainly, with
    Retry-After, logged once per outage. Other database errors are bugs: a 500."""
    kind = outages.classify(error)
    if kind is None:
        return handle_500(InternalServerError(original_exception=error))
    with suppress(exc.SQLAlchemyError):  # the connection may be gone with the database
        db.session.rollback()
    outages.OUTAGE.failed(kind, error)
    status = 507 if kind == outages.FULL else 503
    retry_after = str(current_app.config["UNAVAILABLE_RETRY_AFTER"])
    # Anything that reads the database (the signed-in reader, their language, the page
    # layout's header) would fail again: a page of its own, in the request's language.
    with force_locale(outages.visitor_locale()):
        if kind == outages.FULL:
            title = _("Out of storage space")
            message = _("The site cannot save anything right now: its disk is full. "
                        "Reading still works. Try again in a few minutes.")
        else:
            title = _("Temporarily unavailable")
            message = _("The site cannot reach its database right now. "
                        "Try again in a few seconds.")
        if wants_json():
            body = {"error": {"code": CODES[status], "message": message,
                              "retry_after": int(retry_after)}}
        else:
            body = render_template("errors/unavailable.html", status=status, title=title,
                                   message=message)
    return body, status, {"Retry-After": retry_after}


# The largest id a database column holds (SQLite and PostgreSQL bigint alike).
MAX_ID = 2**63 - 1


class IdConverter(IntegerConverter):
    """`<int:...>` as Flask's, but an id past 64 bits does not match (a 404): SQLite
    raises OverflowError on binding one, which would be a 500."""

    # ASCII digits only: `\d` also matches other scripts' digits (/t/١ was thread 1
    # under a second URL and a second stored page).
    regex = r"[0-9]+"

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits, min, MAX_ID if max is None else max, signed)


def handle_overflow(error: OverflowError):
    # A number or date from the request that no column or datetime can hold, which a
    # check missed (ids in JSON bodies, far-off dates): the client's fault, said so.
    db.session.rollback()
    return error_response(400, _("A number or date in the request is out of range."),
                          "out_of_range")


# PostgreSQL's "numeric value out of range": its side of what SQLite raises as OverflowError
# on binding (an id past an integer column's 32 bits, from a JSON body). Statements run on
# the driver (kernel/compiled.py) raise psycopg's own error, unwrapped by SQLAlchemy.
_OUT_OF_RANGE = "22003"


def handle_data_error(error: exc.DataError | psycopg.errors.DataError):
    if getattr(getattr(error, "orig", error), "sqlstate", None) != _OUT_OF_RANGE:
        return handle_500(InternalServerError(original_exception=error))
    return handle_overflow(error)


def install_converters(app):
    """Before any blueprint: rules bind their converters when they are added."""
    app.url_map.converters["int"] = IdConverter


def _unshared(handler):
    """An error's answer is never a stored page: it is drawn knowing its reader, out of
    the page cache's guards (the outage page asks the session for its language)."""
    @wraps(handler)
    def answer(error):
        not_shared()
        return handler(error)
    return answer


def init_app(app):
    for error, handler in (
            (exc.OperationalError, handle_database), (exc.InterfaceError, handle_database),
            (exc.TimeoutError, handle_database), (OverflowError, handle_overflow),
            (exc.DataError, handle_data_error), (psycopg.errors.DataError, handle_data_error),
            (CSRFError, handle_csrf), (HeldForApproval, handle_held), (DomainError, handle_domain),
            (InternalServerError, handle_500), (HTTPException, handle_http)):
        app.register_error_handler(error, _unshared(handler))
    outages.init_app(app)
