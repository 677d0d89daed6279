"""Two-factor sign-in's use cases: codes taken once, recovery codes once, who may turn it
off, and what a role change does (community/accounts/twofactor.py, roles.py)."""

from concurrent.futures import ThreadPoolExecutor

import pyotp
import pytest
from helpers import PASSWORD, make_user

from community.accounts import roles, tokens, twofactor
from community.accounts import service as accounts
from community.accounts.models import User
from community.kernel.errors import Conflict, Forbidden, ValidationError
from community.kernel.extensions import db


def code_at(secret, offset=0):
    """The code an app shows `offset` steps from now."""
    return pyotp.TOTP(secret).at((twofactor.current_step() + offset) * twofactor.STEP_SECONDS)


def turned_on(user):
    """Set up as a person would: scan, type the code. Returns (secret, recovery codes)."""
    secret = twofactor.begin_enrolment(user)
    codes = twofactor.enable(user, code_at(secret, -1), password=PASSWORD)
    return secret, codes


def test_enrolment_keeps_its_secret_until_a_code_proves_the_app_has_it(ctx):
    user = make_user()
    secret = twofactor.begin_enrolment(user)
    assert twofactor.begin_enrolment(user) == secret  # a reload shows the same QR code
    assert not twofactor.is_enabled(user)
    assert twofactor.second_step(user) is None  # not on until a code was typed
    with pytest.raises(ValidationError) as wrong:
        twofactor.enable(user, "000000" if code_at(secret) != "000000" else "111111",
                         password=PASSWORD)
    assert wrong.value.field == "code" and not twofactor.is_enabled(user)
    with pytest.raises(ValidationError) as bad_password:
        twofactor.enable(user, code_at(secret), password="not-it")
    assert bad_password.value.field == "password"
    uri = twofactor.provisioning_uri(user, secret)
    assert uri.startswith("otpauth://totp/") and f"secret={secret}" in uri


def test_turning_it_on_ends_other_sessions_and_gives_ten_single_use_codes(ctx):
    user = make_user()
    before = user.get_id()
    _secret, codes = turned_on(user)
    assert len(codes) == len(set(codes)) == twofactor.RECOVERY_COUNT
    assert accounts.load_session_user(before) is None
    assert twofactor.second_step(user) == "code"
    assert twofactor.recovery_codes_left(user) == 10
    with pytest.raises(Conflict):
        twofactor.begin_enrolment(user)  # already on: nothing to set up


def test_a_code_is_taken_once_and_never_an_older_one(ctx):
    user = make_user()
    secret, _codes = turned_on(user)  # took the code of the step before now
    assert not twofactor.verify_second_factor(user, code_at(secret, -1))  # replayed
    now = code_at(secret)
    assert twofactor.verify_second_factor(user, now)
    assert not twofactor.verify_second_factor(user, now)  # the same code again
    assert not twofactor.verify_second_factor(user, code_at(secret, -1))  # older
    assert twofactor.verify_second_factor(user, code_at(secret, 1))  # the next step: drift
    assert not twofactor.verify_second_factor(user, code_at(secret, 3))  # too far ahead


def test_wrong_codes_and_junk_are_refused(ctx):
    user = make_user()
    secret, _codes = turned_on(user)
    good = code_at(secret, 1)
    wrong = str((int(good) + 1) % 1_000_000).zfill(6)
    for junk in (wrong, "", None, "12345", "1234567", "abcdef", "x" * 500, "１２３４５６"):
        assert not twofactor.verify_second_factor(user, junk)
    assert twofactor.verify_second_factor(user, f" {good[:3]} {good[3:]} ")  # as apps group it


def test_a_recovery_code_signs_in_once(ctx):
    user = make_user()
    _secret, codes = turned_on(user)
    assert twofactor.verify_second_factor(user, codes[0].upper())  # any case
    assert not twofactor.verify_second_factor(user, codes[0])  # used
    assert twofactor.verify_second_factor(user, codes[1].replace("-", ""))
    assert twofactor.recovery_codes_left(user) == 8
    other = make_user()
    assert not twofactor.verify_second_factor(other, codes[2])  # not theirs (and off)
    fresh = twofactor.new_recovery_codes(user, PASSWORD, codes[2])
    assert not twofactor.verify_second_factor(user, codes[3])  # the old set is gone
    assert twofactor.verify_second_factor(user, fresh[0])


def test_a_fan_turns_it_off_with_password_and_code(ctx):
    user = make_user()
    secret, codes = turned_on(user)
    version = user.auth_version
    with pytest.raises(ValidationError) as no_code:
        twofactor.disable(user, PASSWORD, "")
    assert no_code.value.field == "code"
    with pytest.raises(ValidationError) as no_password:
        twofactor.disable(user, "wrong", code_at(secret))
    assert no_password.value.field == "password"
    twofactor.disable(user, PASSWORD, codes[0])
    assert not twofactor.is_enabled(user) and user.auth_version == version + 1
    assert twofactor.second_step(user) is None
    assert not twofactor.verify_second_factor(user, code_at(secret, 1))


def test_staff_keep_it_on_where_it_is_required(ctx):
    ctx.config["TWO_FACTOR_ENFORCE"] = "staff"
    staff = make_user(role="staff")
    assert twofactor.second_step(staff) == "enrol"
    secret, _codes = turned_on(staff)
    with pytest.raises(Forbidden):
        twofactor.disable(staff, PASSWORD, code_at(secret))
    assert twofactor.is_enabled(staff)
    ctx.config["TWO_FACTOR_ENFORCE"] = "all"
    assert twofactor.second_step(make_user()) == "enrol"


def test_confirm_identity_asks_the_code_only_when_it_is_on(ctx):
    """What closing an account (and any use case that needs the person) calls."""
    user = make_user()
    twofactor.confirm_identity(user, PASSWORD, None)  # off: the password is enough
    with pytest.raises(ValidationError):
        twofactor.confirm_identity(user, "wrong", None)
    secret, _codes = turned_on(user)
    with pytest.raises(ValidationError) as missing:
        twofactor.confirm_identity(user, PASSWORD, None)
    assert missing.value.field == "code"
    twofactor.confirm_identity(user, PASSWORD, code_at(secret))


def test_being_made_staff_ends_sessions_and_revokes_tokens(ctx):
    user = make_user("rising")
    session_id = user.get_id()
    _row, plaintext = tokens.create_token(user, "fan script")
    roles.set_role("rising", "staff")
    assert accounts.load_session_user(session_id) is None
    assert tokens.user_for_token(plaintext) is None
    same = user.get_id()
    roles.set_role("rising", "staff")  # no change: nothing ends
    assert accounts.load_session_user(same) is not None


def test_a_reset_turns_it_off_and_signs_out(ctx):
    user = make_user()
    turned_on(user)
    session_id = user.get_id()
    twofactor.reset(user)
    assert not twofactor.is_enabled(user)
    assert accounts.load_session_user(session_id) is None


def test_racing_requests_take_a_code_once(app):
    """The same code and the same recovery code sent at once by several requests: one
    each gets through (the conditional UPDATEs decide, not a read in Python)."""
    with app.app_context():
        user = make_user()
        secret, codes = turned_on(user)
        user_id = user.id
    code = code_at(secret, 1)

    def attempt(value):
        with app.app_context():
            return twofactor.verify_second_factor(db.session.get(User, user_id), value)

    with ThreadPoolExecutor(max_workers=6) as pool:
        assert sum(pool.map(attempt, [code] * 6)) == 1
        assert sum(pool.map(attempt, [codes[0]] * 6)) == 1
