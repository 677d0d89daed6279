from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..accounts.models import ROLES
from ..web.forms import Form, ZonedDateTimeField, choices

REASON = [DataRequired(), Length(max=500)]


class WarnForm(Form):
    reason = TextAreaField(_l("Warning (sent to the member as a private message)"),
                           validators=REASON)


class SuspendForm(Form):
    length = RadioField(_l("For"), default="day", choices=choices([
        ("day", _l("One day")), ("week", _l("One week")), ("custom", _l("Until a date"))]))
    until = ZonedDateTimeField(_l("Until"), validators=[Optional()])
    reason = StringField(_l("Reason (the member sees it)"), validators=REASON)


class BanForm(Form):
    reason = StringField(_l("Reason"), validators=REASON)


class LiftForm(Form):
    reason = StringField(_l("Reason"), validators=[Length(max=500)])


class RoleForm(Form):
    role = SelectField(_l("Role"), choices=choices([(role, role) for role in ROLES]))
