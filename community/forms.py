"""Form pieces shared by every package."""

import secrets

from flask_wtf import FlaskForm
from wtforms import HiddenField


def new_submit_token():
    return secrets.token_urlsafe(16)


class OnceForm(FlaskForm):
    """A form whose second submit does nothing new: the token is unique per author."""

    submit_token = HiddenField(default=new_submit_token)
