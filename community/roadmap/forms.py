from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired

from ..web.forms import Form


class ReleaseNoteForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired()])
    ideas = StringField(_l("Ideas it ships, by number (such as 12, 15)"),
                        validators=[DataRequired()])
    body = TextAreaField(_l("What shipped (Markdown)"), validators=[DataRequired()])
