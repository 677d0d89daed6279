"""Attack 8 (latent): compiled.rows_among given an empty list renders `IN ()`. SQLite
takes it (no rows); PostgreSQL answers a syntax error, a 500 on whatever page asks.
SQLAlchemy renders an empty IN as an empty set on both. Every caller today checks for an
empty list first (following_holes, newest_questions, liked_post_ids, voted_ids, ...), so
no request reaches it; one that forgets would fail on PostgreSQL alone."""

import pytest

from community.kernel.extensions import db
from community.kernel.reads import rows_among
from products.notices.service import _FOLLOWING


def test_an_empty_list_reads_no_rows_on_both_databases(app, request):
    if app.backend != "sqlite":
        request.applymarker(pytest.mark.xfail(
            strict=True, reason="compiled._bound renders an empty expanding IN as 'IN ()', "
                                "a syntax error on PostgreSQL"))
    with app.app_context():
        assert db.session.execute(_FOLLOWING, {"user_id": 1, "ids": []}).all() == []
        assert rows_among(_FOLLOWING, [], user_id=1) == []
