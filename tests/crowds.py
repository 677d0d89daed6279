"""Many fans at once, for the load tests whose subject is the rush, not the sign-up.

`make_user` goes through `accounts.register` (the password's strength checked by zxcvbn,
the name's look-alikes, a medal check, a transaction each): 10-20 ms a fan, 2-6 s of CPU
for the crowds of 100-300 the races need, spent before the race starts, on each database.
These rows are the ones `register(..., verified=True)` writes, in one transaction: the
same password hash for everyone (one PBKDF2), the same name keys, no founding_fan medal.
Needs an app context.
"""

import secrets

from helpers import PASSWORD
from sqlalchemy import insert, select

from community.accounts import names, tokens
from community.accounts.models import User
from community.accounts.service import hash_password
from community.kernel.database import transaction, utcnow
from community.kernel.extensions import db
from products.addresses.models import Address
from products.addresses.service import clean


def make_fans(usernames, password=PASSWORD):
    """Confirmed fans named `usernames` (emails <name>@example.com), in that order."""
    password_hash, now = hash_password(password), utcnow()
    with transaction():
        ids = db.session.scalars(insert(User).returning(User.id, sort_by_parameter_order=True), [
            {"username": name, "username_key": names.key(name),
             "username_skeleton": names.skeleton(name), "email": f"{name}@example.com",
             "password_hash": password_hash, "role": "fan", "email_verified_at": now}
            for name in usernames]).all()
    by_id = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(ids)))}
    return [by_id[i] for i in ids]


def make_tokens(users, name="load"):
    """An API token with every scope its account may have, for each of `users`:
    their plaintexts, in order (what tokens.create_token stores, without its checks)."""
    plaintexts = [tokens.TOKEN_PREFIX + secrets.token_urlsafe(32) for _ in users]
    with transaction():
        db.session.execute(insert(tokens.ApiToken), [
            {"user_id": user.id, "name": name, "token_hash": tokens.hash_token(plaintext),
             "prefix": plaintext[:tokens.SHOWN_CHARS], "scopes": tokens.check_scopes(user, None)}
            for user, plaintext in zip(users, plaintexts, strict=True)])
    return plaintexts


def make_addresses(users, data):
    """Each of `users` gets `data` (checked once, by the service's own `clean`) as their
    only, default address: the address ids, in order."""
    values = clean(data)
    with transaction():
        return db.session.scalars(insert(Address).returning(Address.id, sort_by_parameter_order=True), [
            {"user_id": user.id, **values, "is_default": True} for user in users]).all()
