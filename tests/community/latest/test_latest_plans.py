"""The Latest feed's newest status changes walk an index on (created_at, id), on SQLite's
planner without statistics: without it each home page sorted every change ever made
(27 ms at the large seed)."""

import pytest
from querycount import counting
from sqlalchemy import text

from community.kernel.extensions import db

pytestmark = pytest.mark.one_database


def test_the_home_pages_status_changes_are_read_newest_first_by_index(sqlite_app):
    client = sqlite_app.test_client()
    with counting() as statements:
        assert client.get("/latest").status_code == 200
    reads = [s for s in statements if "FROM ideas JOIN idea_status_changes" in " ".join(s.split())]
    assert reads, "the feed read no status changes"
    with sqlite_app.app_context():
        plan = [row[-1] for row in db.session.execute(text("EXPLAIN QUERY PLAN " + reads[0]))]
    assert any("ix_idea_status_changes_created" in step for step in plan), plan
    assert not any("TEMP B-TREE FOR ORDER BY" in step for step in plan), plan
