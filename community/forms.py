"""Form pieces shared by every package."""

import secrets

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.fields.choices import SelectChoice


def new_submit_token():
    return secrets.token_urlsafe(16)


class OnceForm(FlaskForm):
    """A form whose second submit does nothing new: the token is unique per author."""

    submit_token = HiddenField(default=new_submit_token)


def choices(pairs):
    """(value, label) pairs as WTForms choices (tuples are deprecated in WTForms 3.3)."""
    return [SelectChoice(value, label) for value, label in pairs]
