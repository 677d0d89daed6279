"""Search tests run on both backends: on SQLite with whoosh (SQLite always uses it) and on
PostgreSQL with its full-text search, the default there. Tests marked `whoosh` are about
whoosh's files or the outbox that feeds them: on PostgreSQL they run with
SEARCH_BACKEND=whoosh, which is how a PostgreSQL site keeps whoosh."""

import pytest


@pytest.fixture(autouse=True)
def _whoosh_when_marked(request):
    if request.node.get_closest_marker("whoosh") and "app" in request.fixturenames:
        request.getfixturevalue("app").config["SEARCH_BACKEND"] = "whoosh"
