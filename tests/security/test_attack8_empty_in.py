"""Attack 8 (latent): compiled.rows_among given an empty list rendered `IN ()`. SQLite
takes it (no rows); PostgreSQL answered a syntax error, a 500 on whatever page asked.
Every caller checks for an empty list first today (following_holes, newest_questions,
liked_post_ids, voted_ids, ...), so no request reached it; an empty list now reads as
SQLAlchemy reads it, on both databases, for IN and NOT IN alike."""

from helpers import make_user
from sqlalchemy import bindparam, select

from community.accounts.models import User
from community.kernel.extensions import db
from community.kernel.reads import rows_among
from products.notices.service import _FOLLOWING

_OTHERS = select(User.username).where(User.id.not_in(bindparam("ids", expanding=True)))


def test_an_empty_list_reads_as_sqlalchemy_reads_it_on_both_databases(app):
    with app.app_context():
        make_user("a8empty")
        for statement, params in ((_FOLLOWING, {"user_id": 1}), (_OTHERS, {})):
            orm = [tuple(row) for row in db.session.execute(statement, {**params, "ids": []})]
            assert rows_among(statement, [], **params) == orm
        assert orm == [("a8empty",)]
