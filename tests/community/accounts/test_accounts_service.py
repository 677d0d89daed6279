import pytest
from helpers import PASSWORD, make_user

from community.accounts import passwords, roles, service
from community.kernel.errors import NotFound, ValidationError


def test_register_normalises_and_hashes(ctx):
    user = service.register("LiLei", "  LiLei@Example.COM ", "secret-pass")
    assert user.username == "LiLei"
    assert user.email == "lilei@example.com"
    assert user.role == "fan"
    assert user.password_hash != "secret-pass"
    assert service.authenticate("lilei", "secret-pass") == user
    assert service.authenticate("LILEI@example.com", "secret-pass") == user
    assert service.authenticate("lilei", "wrong-pass") is None
    assert service.authenticate("nobody", "secret-pass") is None


@pytest.mark.parametrize(
    ("username", "email", "password", "field"),
    [
        ("a", "a@example.com", "long-enough", "username"),
        ("has space", "a@example.com", "long-enough", "username"),
        ("x" * 33, "a@example.com", "long-enough", "username"),
        ("fine_name", "not-an-email", "long-enough", "email"),
        ("fine_name", "a@example.com", "short", "password"),
    ],
)
def test_register_rejects_bad_input(ctx, username, email, password, field):
    with pytest.raises(ValidationError) as caught:
        service.register(username, email, password)
    assert caught.value.field == field
    assert service.count_users() == 0


def test_chinese_usernames_are_allowed(ctx):
    assert service.register("李雷", "li@example.com", "long-enough").username == "李雷"


def test_names_and_emails_are_unique_ignoring_case(ctx):
    make_user("Meimei", email="mei@example.com")
    with pytest.raises(ValidationError) as caught:
        service.register("meimei", "other@example.com", PASSWORD)
    assert caught.value.field == "username"
    with pytest.raises(ValidationError) as caught:
        service.register("other", "MEI@example.com", PASSWORD)
    assert caught.value.field == "email"
    assert service.count_users() == 1


def test_change_password_bumps_the_session_version(ctx):
    user = make_user()
    before = user.get_id()
    with pytest.raises(ValidationError):
        passwords.change_password(user, "wrong-current", "new-password-1")
    with pytest.raises(ValidationError) as caught:
        passwords.change_password(user, PASSWORD, "short")
    assert caught.value.field == "new_password"
    passwords.change_password(user, PASSWORD, "new-password-1")
    assert service.load_session_user(before) is None
    assert service.load_session_user(user.get_id()) == user
    assert service.authenticate(user.username, "new-password-1") == user


def test_set_role(ctx):
    user = make_user("promoted")
    assert roles.set_role("PROMOTED", "staff").is_staff
    with pytest.raises(ValidationError):
        roles.set_role("promoted", "king")
    with pytest.raises(NotFound):
        roles.set_role("ghost", "staff")
    assert user.role == "staff"


@pytest.mark.parametrize("raw", ["", "abc", "1", "1.x", "x.1", "999.1"])
def test_session_loader_ignores_garbage(ctx, raw):
    assert service.load_session_user(raw) is None


def test_default_hash_is_scrypt():
    from app import DEFAULTS

    assert DEFAULTS["PASSWORD_HASH_METHOD"] == "scrypt"
