from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    IntegerField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, NumberRange, Optional

from community.web.forms import Form, ZonedDateTimeField

ANSWER_PREFIX = "answer-"


class TrialForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired()])
    description = TextAreaField(_l("What testers do and get"))
    places = IntegerField(_l("Places"), validators=[DataRequired(), NumberRange(min=1, max=10_000)])
    min_level = IntegerField(_l("Minimum level"), default=1,
                             validators=[DataRequired(), NumberRange(min=1, max=12)])
    verified_required = BooleanField(_l("Applicants need a confirmed email address"),
                                     default=True)
    cocreators_first = BooleanField(_l("Co-creators first in the draw"))
    questions = TextAreaField(_l("Application questions, one a line: \"text: ...\", "
                                 "\"device: ...\" or \"choice: ... | answer | answer\""))
    report_questions = TextAreaField(_l("Report questions, one a line: \"rating: ...\" (1-5) "
                                        "or \"text: ...\""), validators=[DataRequired()])
    apply_by = ZonedDateTimeField(_l("Applications close"), validators=[DataRequired()])
    report_due = ZonedDateTimeField(_l("Reports due"), validators=[DataRequired()])


class DrawForm(Form):
    seed = StringField(_l("Seed (leave empty for a random one)"), validators=[Optional()])


class ReportForm(Form):
    public = BooleanField(_l("Show my report on the trial page"))
    photos = MultipleFileField(_l("Photos (PNG, JPEG or WebP, 5 MB each, 4 at most)"))


def answers_from(formdata):
    """{question key: answer} from the fields named answer-<key>."""
    return {name[len(ANSWER_PREFIX):]: value for name, value in formdata.items()
            if name.startswith(ANSWER_PREFIX)}
