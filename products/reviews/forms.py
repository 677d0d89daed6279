from flask_babel import lazy_gettext as _l
from wtforms import MultipleFileField, RadioField, SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from community.web.forms import Form, choices

from .questions import MAX_ANSWER, MAX_QUESTION
from .service import MAX_BODY

STARS = choices([(n, "★" * n) for n in range(5, 0, -1)])
IMAGES_LABEL = _l("Photos (PNG, JPEG, WebP or GIF)")


class ReviewForm(Form):
    order = SelectField(_l("Order"), coerce=int)
    rating = RadioField(_l("Rating"), choices=STARS, coerce=int, validators=[DataRequired()])
    body = TextAreaField(_l("Your review"), validators=[DataRequired(), Length(max=MAX_BODY)])
    images = MultipleFileField(IMAGES_LABEL)


class EditReviewForm(Form):
    rating = RadioField(_l("Rating"), choices=STARS, coerce=int, validators=[DataRequired()])
    body = TextAreaField(_l("Your review"), validators=[DataRequired(), Length(max=MAX_BODY)])
    images = MultipleFileField(IMAGES_LABEL)
    remove = SelectMultipleField(_l("Remove these photos"), coerce=int, choices=[],
                                 widget=ListWidget(prefix_label=False),
                                 option_widget=CheckboxInput())


class QuestionForm(Form):
    body = TextAreaField(_l("Your question"), validators=[DataRequired(),
                                                          Length(max=MAX_QUESTION)])


class AnswerForm(Form):
    body = TextAreaField(_l("Your answer"), validators=[DataRequired(), Length(max=MAX_ANSWER)])
