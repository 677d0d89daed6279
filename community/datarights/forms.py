from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, RadioField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ..web.forms import Form, choices


class ExportForm(Form):
    """Only its CSRF token: the button that asks for the export."""


class DownloadForm(Form):
    """Only its CSRF token: the button that takes the (single-use) download."""


class CloseAccountForm(Form):
    posts = RadioField(_l("What you wrote"), default="keep", choices=choices([
        ("keep", _l("Keep my posts and messages, shown as written by a deleted user")),
        ("remove", _l("Remove my posts and messages")),
    ]), validators=[DataRequired()])
    password = PasswordField(_l("Your password"), validators=[DataRequired()])
    # Asked only of accounts with two-factor sign-in on (accounts/twofactor.confirm_identity).
    code = StringField(_l("Code"), validators=[Optional(), Length(max=32)])
    understood = BooleanField(
        _l("I understand that once the grace period ends, my name, email, addresses and "
           "sign-in are gone for good."),
        validators=[DataRequired(message=_l("Tick the box to say you understand."))])
