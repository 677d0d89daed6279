from flask_babel import lazy_gettext as _l
from wtforms import (
    DateTimeLocalField,
    IntegerField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, NumberRange, Optional

from ..web.forms import Form


class RoundForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired()])
    brief = TextAreaField(_l("Brief (Markdown)"))
    starts_at = DateTimeLocalField(_l("Starts"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    ends_at = DateTimeLocalField(_l("Ends"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    vote_budget = IntegerField(_l("Votes per fan (empty: no limit)"),
                               validators=[Optional(), NumberRange(min=1, max=1000)])


class SummaryForm(Form):
    summary = TextAreaField(_l("Summary (Markdown)"))


class AcceptForm(Form):
    ideas = SelectMultipleField(_l("Ideas to accept"), coerce=int, choices=[], validate_choice=False)
    response = TextAreaField(_l("Message to their voters (optional)"))
