from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from ..web.forms import Form, choices
from .labels import REASON_NAMES
from .models import TEXT_MAX


class ReportForm(Form):
    reason = RadioField(_l("Why are you reporting this?"), choices=choices(REASON_NAMES.items()),
                        validators=[InputRequired(_l("Choose a reason."))])
    text = TextAreaField(_l("Tell staff more (needed for “Something else”)"),
                         validators=[Length(max=TEXT_MAX)])


class TrustedLevelForm(Form):
    trusted_level = IntegerField(_l("Trusted level"),
                                 validators=[InputRequired(), NumberRange(min=1, max=12)])
