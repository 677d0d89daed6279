"""Every column that holds an account's id is exported or excluded with a reason, and
says what closing the account does to it: a new table cannot be forgotten."""

import pytest
from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table

from community.datarights import registry
from community.kernel.extensions import db


def test_every_account_column_has_a_rule(sqlite_app):
    with sqlite_app.app_context():
        assert registry.unclassified(db.metadata) == []
        # ...and no rule names a column that is not there (a renamed one, say).
        assert set(registry.RULES) <= registry.account_columns(db.metadata)
        for rule in registry.rules():
            table = db.metadata.tables[rule.table]
            named = [*rule.hide, *rule.remove, *rule.scrub]
            if rule.on_close == registry.RETAIN:
                named.append(rule.age_column)
            assert set(named) <= set(table.c.keys()), rule
            if rule.on_close == registry.NULL:
                assert table.c[rule.column].nullable, rule
            for column in rule.scrub:  # emptied to NULL once the retention ends
                assert table.c[column].nullable, (rule, column)


def test_a_new_table_pointing_at_accounts_is_caught(sqlite_app):
    with sqlite_app.app_context():
        metadata = MetaData()
        for table in db.metadata.tables.values():
            table.to_metadata(metadata)
        Table("wishlists", metadata, Column("id", Integer, primary_key=True),
              Column("fan_id", ForeignKey("users.id")), Column("gifted_by_id", Integer),
              Column("buyer_id", Integer))
        assert registry.unclassified(metadata) == [
            ("wishlists", "buyer_id"), ("wishlists", "fan_id"), ("wishlists", "gifted_by_id")]


def test_a_rule_that_exports_nothing_must_say_why():
    with pytest.raises(ValueError, match="say why"):
        registry.Rule("wishlists", "fan_id", False, registry.KEEP)
    with pytest.raises(ValueError, match="unknown action"):
        registry.Rule("wishlists", "fan_id", True, "shred")
