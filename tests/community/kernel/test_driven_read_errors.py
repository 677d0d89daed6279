"""A prebuilt read on the driver (kernel/compiled.py) whose database is gone raises
SQLAlchemy's error, as a read through the session does, so the outage handler answers
503, not 500; and the dead reading connection is not handed out again."""

import pytest
from flask import g
from helpers import make_user
from sqlalchemy import bindparam, create_engine, exc, select, text

from community.accounts.models import User
from community.kernel import compiled
from community.web import outages

NAME_OF = select(User.username).where(User.id == bindparam("user_id"))


def test_a_lost_reading_connection_is_an_outage_and_is_not_pooled_again(app):
    if app.backend != "postgresql":
        pytest.skip("a server connection to cut: runs on the postgresql parameter")
    with app.app_context():
        user_id = make_user("reader").id
    with app.app_context():
        assert compiled.rows_of(NAME_OF, user_id=user_id) == [("reader",)]  # outside a transaction
        pid = g._reading_connection.driver_connection.info.backend_pid
        admin = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        admin.dispose()
        with pytest.raises(exc.OperationalError) as caught:
            compiled.rows_of(NAME_OF, user_id=user_id)
        assert caught.value.connection_invalidated
        assert outages.classify(caught.value) == outages.UNAVAILABLE
        assert "_reading_connection" not in g
    with app.app_context():
        assert compiled.rows_of(NAME_OF, user_id=user_id) == [("reader",)]


def test_a_driver_error_on_a_read_is_sqlalchemys(app):
    broken = select(User.username).where(User.id == bindparam("user_id")).where(
        text("no_such_column = 1"))
    with app.app_context(), pytest.raises(exc.DBAPIError) as caught:
        compiled.rows_of(broken, user_id=1)
    assert not caught.value.connection_invalidated
