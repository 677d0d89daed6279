from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..web.forms import Form


class NewConversationForm(Form):
    participants = StringField(_l("To (usernames, separated by commas)"),
                               validators=[DataRequired(), Length(max=2000)])
    title = StringField(_l("Group title (leave empty for a direct conversation)"),
                        validators=[Length(max=100)])
    body = TextAreaField(_l("Message (Markdown)"), validators=[Length(max=10_000)])
