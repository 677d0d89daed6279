"""Usernames that could pass for another are refused (Unicode TR39 skeletons)."""

import pytest
from helpers import PASSWORD, build_app, make_user
from sqlalchemy import insert, text
from sqlalchemy.exc import IntegrityError

from community.accounts import names
from community.accounts import service as accounts
from community.accounts.models import User
from community.kernel.errors import ValidationError
from community.kernel.extensions import db


@pytest.mark.parametrize("lookalike", [
    "ａｄｍｉｎ",  # fullwidth
    "ADMIN", "Admin",
    "ΑDΜΙΝ",  # Greek capitals Alpha, Mu, Iota with Latin D: mixed, refused either way
])
def test_a_name_that_looks_like_a_taken_one_is_taken(ctx, lookalike):
    make_user("admin")
    with pytest.raises(ValidationError) as refused:
        accounts.register(lookalike, "other@example.com", PASSWORD)
    assert refused.value.field == "username"
    assert accounts.count_users() == 1


@pytest.mark.parametrize("mixed", ["аdmin", "stаff", "рaypal", "gооgle"])  # Cyrillic а, р, о
def test_names_mixing_scripts_are_refused_with_a_reason(ctx, mixed):
    with pytest.raises(ValidationError) as refused:
        accounts.register(mixed, "mixed@example.com", PASSWORD)
    assert refused.value.field == "username" and "one script" in refused.value.message


@pytest.mark.parametrize("name", ["小明", "小明abc", "Li_Lei-9", "Алёна", "ΑΘΗΝΑ", "すし太郎"])
def test_names_in_one_script_or_an_allowed_mix_are_fine(ctx, name):
    assert accounts.register(name, "one@example.com", PASSWORD).username == name


def test_a_whole_script_lookalike_is_taken_too(ctx):
    make_user("aeo")
    with pytest.raises(ValidationError) as refused:
        accounts.register("аео", "cyrillic@example.com", PASSWORD)  # all Cyrillic
    assert refused.value.field == "username"


def test_a_fullwidth_name_is_kept_normalised_and_found_either_way(ctx):
    user = accounts.register("ｓｏｎｇ", "song@example.com", PASSWORD)
    assert user.username == "song"
    assert accounts.get_by_username("ＳＯＮＧ") == user
    assert accounts.authenticate("Ｓｏｎｇ", PASSWORD) == user


def test_the_database_holds_skeletons_unique(ctx):
    make_user("admin")
    with pytest.raises(IntegrityError):
        db.session.execute(insert(User).values(
            username="аdmin", username_key="аdmin", username_skeleton=names.skeleton("admin"),
            email="x@example.com", password_hash="x"))
        db.session.flush()
    db.session.rollback()


def test_the_register_form_says_why(client, app):
    with app.app_context():
        make_user("staff")
    for name, reason in (("stаff", "one script"), ("ＳＴＡＦＦ", "already taken")):
        response = client.post("/register", data={"username": name, "email": "n@example.com",
                                                  "password": "long-enough"})
        assert response.status_code == 422 and reason in response.get_data(as_text=True)


def test_the_migration_backfills_skeletons_and_keeps_lookalikes_that_exist(tmp_path):
    """Rows from before the revision get their skeleton; two that already look alike
    both stay (the later one's skeleton is marked), and a third cannot join them."""
    from flask_migrate import downgrade, upgrade

    app = build_app(f"sqlite:///{tmp_path}/m.sqlite3", tmp_path)
    with app.app_context():
        upgrade(revision="7d3e9a1c5b20")
        for i, name in enumerate(["admin", "аdmin", "lilei"], start=1):
            db.session.execute(text(
                "INSERT INTO users (id, username, username_key, email, password_hash, role, "
                "auth_version, points, created_at) VALUES (:id, :name, :name, :email, 'x', "
                "'fan', 1, 0, '2026-01-01')"), {"id": i, "name": name, "email": f"{i}@e.com"})
        db.session.commit()
        upgrade()
        rows = dict(db.session.execute(text("SELECT username, username_skeleton FROM users")).all())
        assert rows == {"admin": "adrnin", "аdmin": "adrnin#2", "lilei": "lilei"}
        with pytest.raises(ValidationError):
            accounts.register("ADMIN", "third@example.com", PASSWORD)
        db.session.rollback()
        downgrade(revision="7d3e9a1c5b20")
