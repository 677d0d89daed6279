from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from ..web.forms import Form, choices
from .models import PATTERN_MAX, REPLACEMENT_MAX
from .service import ACTION_NAMES


class WatchedWordForm(Form):
    pattern = StringField(_l("Word or pattern"), validators=[DataRequired(), Length(max=PATTERN_MAX)])
    is_regex = BooleanField(_l("A regular expression"))
    action = SelectField(_l("What a match does"), choices=choices(ACTION_NAMES.items()))
    replacement = StringField(_l("Replacement"), validators=[Length(max=REPLACEMENT_MAX)])
