"""The leaderboards sum a period's points from the ledger's index alone (user_id and points
are in it): read row by row from the table after the day index, a week of the large
seed's ledger took 94 ms on SQLite, 25 ms so (bench/RESULTS.md, 2026-12-08)."""

import pytest
from helpers import make_board
from querycount import counting
from sqlalchemy import text

from community.kernel.extensions import db

pytestmark = pytest.mark.one_database


def _plan(app, path):
    client = app.test_client()
    with counting() as statements:
        assert client.get(path).status_code == 200
    sums = [s for s in statements if "sum(point_entries.points)" in s]
    assert sums, f"{path} summed no points"
    with app.app_context():
        return [row[-1] for row in db.session.execute(text("EXPLAIN QUERY PLAN " + sums[0]))]


@pytest.mark.parametrize("period", ["week", "month"])
def test_a_periods_leaderboard_reads_the_ledger_from_its_index_alone(sqlite_app, period):
    plan = _plan(sqlite_app, f"/leaderboards?period={period}")
    assert any("COVERING INDEX ix_point_entries_day_totals" in step for step in plan), plan


def test_a_boards_leaderboard_reads_the_ledger_from_its_index_alone(sqlite_app):
    with sqlite_app.app_context():
        slug = make_board(slug="plans").slug
    plan = _plan(sqlite_app, f"/leaderboards?board={slug}")
    assert any("COVERING INDEX ix_point_entries_board_day_totals" in step for step in plan), plan
