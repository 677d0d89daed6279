"""Which query arguments a view reads: route walks (tests/test_request_input.py,
tests/test_text_fields.py) ask each route once with every name they try, then try bad
values only in the names it read, instead of every name on every route."""

from flask import Request
from werkzeug.datastructures import ImmutableMultiDict


class _ReadArguments(ImmutableMultiDict):
    """Query arguments that remember which names a view asked for."""

    asked = set()

    def get(self, key, default=None, type=None):  # noqa: A002 - werkzeug's own signature
        self.asked.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):  # noqa: A002
        self.asked.add(key)
        return super().getlist(key, type)

    def __getitem__(self, key):
        self.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self.asked.add(key)
        return super().__contains__(key)


class _ReadingRequest(Request):
    parameter_storage_class = _ReadArguments


def arguments_read(app, client, bearer, method, path, names):
    """Those of `names` the view at `path` reads when every one of them is given."""
    _ReadArguments.asked.clear()
    app.request_class = _ReadingRequest
    try:
        client.open(path, method=method, query_string=dict.fromkeys(names, "1"),
                    headers=bearer if path.startswith("/api/") else None).close()
    finally:
        del app.request_class
    return names & _ReadArguments.asked
