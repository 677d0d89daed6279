from flask_babel import lazy_gettext as _l
from wtforms import (
    IntegerField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, NumberRange, Optional

from ..web.forms import Form, ZonedDateTimeField


class RoundForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired()])
    brief = TextAreaField(_l("Brief (Markdown)"))
    starts_at = ZonedDateTimeField(_l("Starts"), validators=[DataRequired()])
    ends_at = ZonedDateTimeField(_l("Ends"), validators=[DataRequired()])
    vote_budget = IntegerField(_l("Votes per fan (empty: no limit)"),
                               validators=[Optional(), NumberRange(min=1, max=1000)])


class SummaryForm(Form):
    summary = TextAreaField(_l("Summary (Markdown)"))


class AcceptForm(Form):
    ideas = SelectMultipleField(_l("Ideas to accept"), coerce=int, choices=[], validate_choice=False)
    response = TextAreaField(_l("Message to their voters (optional)"))
