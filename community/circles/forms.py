from flask_babel import lazy_gettext as _l
from wtforms import (
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..web.forms import Form, ZonedDateTimeField, choices

KIND_NAMES = {"interest": _l("Interest circle"), "city": _l("City club (同城会)")}
VISIBILITY_NAMES = {
    "open": _l("Open: anyone joins"),
    "approval": _l("Approval: moderators let people in"),
    "private": _l("Private: by invitation only, invisible to everyone else"),
}
ROLE_NAMES = {"owner": _l("Owner"), "moderator": _l("Moderator"), "member": _l("Member")}


class CircleForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    slug = StringField(_l("Address"), validators=[Optional(), Length(max=64)])
    description = TextAreaField(_l("Description"), validators=[Length(max=2000)])
    kind = SelectField(_l("Kind"), default="interest",
                       choices=choices(KIND_NAMES.items()))
    city = StringField(_l("City (for a city club)"), validators=[Length(max=64)])
    visibility = RadioField(_l("Who can join"), default="open",
                            choices=choices(VISIBILITY_NAMES.items()))


class InviteForm(Form):
    expires_in_hours = IntegerField(_l("Valid for (hours)"), default=72,
                                    validators=[DataRequired(), NumberRange(min=1, max=720)])
    max_uses = IntegerField(_l("How many people it admits"), default=10,
                            validators=[DataRequired(), NumberRange(min=1, max=1000)])


class EventForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description (Markdown)"), validators=[Optional()])
    place = StringField(_l("Place"), validators=[DataRequired(), Length(max=200)])
    starts_at = ZonedDateTimeField(_l("Starts"), validators=[DataRequired()])
    ends_at = ZonedDateTimeField(_l("Ends"), validators=[DataRequired()])
    capacity = IntegerField(_l("Places"), default=20,
                            validators=[DataRequired(), NumberRange(min=1, max=10_000)])
