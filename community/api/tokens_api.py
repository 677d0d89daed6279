"""API tokens over the API: sign in for a token, list, revoke; and who am I."""

from ..accounts import tokens
from ..web import ratelimits
from .core import (
    NO_SCOPE,
    USER,
    api_doc,
    api_scope,
    api_token,
    bp,
    iso,
    json_body,
    require_user,
    token_required,
    user_json,
)
from .openapi import define_schema

DEFAULT_NAME = "API"

TOKEN = define_schema("Token", {
    "type": "object",
    "required": ["id", "name", "prefix", "scopes", "created_at", "last_used_at"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "scopes": {"type": "array", "items": {"type": "string", "enum": list(tokens.SCOPES)}},
        "prefix": {"type": "string", "description": "The token's first characters."},
        "created_at": {"type": "string", "format": "date-time"},
        "last_used_at": {"type": ["string", "null"], "format": "date-time",
                         "description": "Updated at most once an hour."},
    },
})

NEW_TOKEN = define_schema("NewToken", {
    "type": "object",
    "required": ["token", "scopes", "user"],
    "properties": {
        "token": {"type": "string", "description": "Shown this once; send it as a Bearer token."},
        "scopes": {"type": "array", "items": {"type": "string", "enum": list(tokens.SCOPES)}},
        "user": USER,
    },
})

SIGN_IN = {
    "type": "object",
    "required": ["username", "password"],
    "properties": {
        "username": {"type": "string", "minLength": 1, "maxLength": 254,
                     "description": "Username or email."},
        "password": {"type": "string", "minLength": 1, "maxLength": 256},
        "name": {"type": "string", "minLength": 1, "maxLength": tokens.MAX_NAME,
                 "description": f"What the token is for (default {DEFAULT_NAME!r})."},
        "scopes": {"type": "array", "minItems": 1, "uniqueItems": True,
                   "items": {"type": "string", "enum": list(tokens.SCOPES)},
                   "description": "What the token may do (default read and write): read, "
                                  "write, and for staff staff:moderate and staff:store."},
        "otp": {"type": "string", "minLength": 1, "maxLength": 32,
                "description": "With two-factor sign-in on: the code from the app, or a "
                               "recovery code."},
    },
}


def token_json(token):
    return {"id": token.id, "name": token.name, "prefix": token.prefix,
            "scopes": token.scope_list, "created_at": iso(token.created_at),
            "last_used_at": iso(token.last_used_at)}


@bp.post("/tokens")
@api_doc("Sign in with a password and get a new API token", tag="tokens", request=SIGN_IN,
         responses={201: NEW_TOKEN}, errors=(401, 403, 409, 429),
         description="Rate-limited like signing in. A banned account gets 403. With "
                     "two-factor sign-in on, send `otp` too (401 otp_required without it); "
                     "an account that must set it up first gets 403 two_factor_required.")
@api_scope(NO_SCOPE)
@ratelimits.login
def create_token():
    body = json_body()
    user, token, plaintext = tokens.create_token_with_password(
        body["username"], body["password"], body.get("name", DEFAULT_NAME),
        body.get("scopes", tokens.DEFAULT_SCOPES), body.get("otp"))
    return {"token": plaintext, "scopes": token.scope_list, "user": user_json(user)}, 201, \
        {"Cache-Control": "no-store"}


@bp.get("/tokens")
@api_doc("Your working API tokens, newest first", tag="tokens",
         responses={200: {"type": "array", "items": TOKEN}})
@token_required
def list_tokens():
    return [token_json(token) for token in tokens.list_tokens(require_user())]


@bp.delete("/tokens/current")
@api_doc("Revoke the token this request uses", tag="tokens", responses={204: None},
         description="Any token may revoke itself, whatever its scopes.")
@api_scope(NO_SCOPE)
@token_required
def revoke_current_token():
    tokens.revoke_token(require_user(), api_token().id)
    return "", 204


@bp.delete("/tokens/<int:token_id>")
@api_doc("Revoke one of your tokens", tag="tokens", responses={204: None}, errors=(404,))
@token_required
def revoke_token(token_id):
    tokens.revoke_token(require_user(), token_id)
    return "", 204


@bp.get("/me")
@api_doc("The account the token acts for", tag="users", responses={200: USER})
@token_required
def me():
    return user_json(require_user())
