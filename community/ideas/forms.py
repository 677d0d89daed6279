from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..web.forms import Form, OnceForm, choices
from .labels import STATUS_NAMES
from .models import STATUSES


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class IdeaForm(OnceForm):
    title = StringField(_l("Title"), validators=[DataRequired()])
    body = TextAreaField(_l("Describe the idea (Markdown)"), validators=[DataRequired()])
    tags = CheckboxesField(_l("Tags"), choices=[], validate_choice=False)
    round_id = SelectField(_l("Feedback round"), coerce=int, choices=[], validate_choice=False,
                           validators=[Optional()])


class StatusForm(Form):
    status = SelectField(_l("Status"), choices=choices((s, STATUS_NAMES[s]) for s in STATUSES if s != "merged"),
                         validate_choice=False)
    response = TextAreaField(_l("Official response (Markdown)"), validators=[DataRequired()])


class MergeForm(Form):
    target = IntegerField(_l("Merge into idea #"), validators=[DataRequired(), NumberRange(min=1)])
    response = TextAreaField(_l("Note (optional)"))


class TagsForm(Form):
    tags = StringField(_l("Tags, separated by commas"))
