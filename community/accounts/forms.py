from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, EqualTo, Length
from wtforms.widgets import CheckboxInput, ListWidget

from ..web.forms import Form


class RegisterForm(Form):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=32)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class LoginForm(Form):
    login = StringField(_l("Username or email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Remember me"))


class ChangePasswordForm(Form):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired()])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )


class NewTokenForm(Form):
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=64)])
    # Choices (tokens.SCOPES the account may have) are set by the view.
    scopes = SelectMultipleField(_l("What it may do"), default=["read", "write"],
                                 widget=ListWidget(prefix_label=False),
                                 option_widget=CheckboxInput())


class ForgotPasswordForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])


class ResetPasswordForm(Form):
    new_password = PasswordField(_l("New password"), validators=[DataRequired()])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )


class ChangeEmailForm(Form):
    email = EmailField(_l("New email address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Current password"), validators=[DataRequired()])


class CodeForm(Form):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32)])


class ConfirmCodeForm(Form):
    """The password and a code: turning two-factor sign-in on, off, or new recovery codes."""

    password = PasswordField(_l("Current password"), validators=[DataRequired()])
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32)])
