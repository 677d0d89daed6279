from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from community.web.forms import Form, ZonedDateTimeField, choices

from .labels import STAGE_NAMES
from .models import STAGES


class PromoteForm(Form):
    ideas = SelectMultipleField(_l("Ideas"), coerce=int, choices=[], validate_choice=False)
    more_ideas = StringField(_l("More ideas by number, separated by commas"))
    name = StringField(_l("Product name"), validators=[DataRequired()])
    slug = StringField(_l("Slug (its address)"), validators=[Optional(), Length(max=64)])
    summary = StringField(_l("Short summary"), validators=[DataRequired()])
    description = TextAreaField(_l("Description (Markdown)"))

    def idea_ids(self):
        """The ticked ideas and the typed numbers; garbage is left for the service to refuse."""
        typed = [part.strip() for part in (self.more_ideas.data or "").split(",") if part.strip()]
        return [*(self.ideas.data or []), *(part.lstrip("#") for part in typed)]


class ThresholdForm(Form):
    threshold = IntegerField(_l("Votes needed for review"),
                             validators=[DataRequired(), NumberRange(min=1, max=1_000_000)])


class StageForm(Form):
    stage = SelectField(_l("Stage"), choices=choices((s, STAGE_NAMES[s]) for s in STAGES),
                        validate_choice=False)
    note = TextAreaField(_l("Note for the timeline (optional)"))


class ImageForm(Form):
    image = FileField(_l("Image (PNG, JPEG or WebP, 5 MB at most)"),
                      validators=[FileRequired(_l("Choose an image file."))])


class PollForm(Form):
    question = StringField(_l("Question"), validators=[DataRequired()])
    options = TextAreaField(_l("Options, one per line (2 to 6)"), validators=[DataRequired()])
    ends_at = ZonedDateTimeField(_l("Ends"), validators=[DataRequired()])


class DecisionForm(Form):
    decision = TextAreaField(_l("Decision"), validators=[DataRequired()])


class VoteForm(Form):
    option = IntegerField(_l("Option"), validators=[DataRequired()])


class GrantForm(Form):
    username = StringField(_l("Fan's username"), validators=[DataRequired()])
