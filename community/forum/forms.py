from flask_babel import lazy_gettext as _l
from wtforms import MultipleFileField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..web.forms import Form, OnceForm


class ThreadForm(OnceForm):
    title = StringField(_l("Title"), validators=[DataRequired()])
    body = TextAreaField(_l("Message (Markdown)"), validators=[DataRequired()])
    images = MultipleFileField(_l("Images (PNG, JPEG, WebP or GIF)"))


class ReplyForm(OnceForm):
    body = TextAreaField(_l("Reply (Markdown)"), validators=[DataRequired()])
    images = MultipleFileField(_l("Images (PNG, JPEG, WebP or GIF)"))


class EditPostForm(Form):
    title = StringField(_l("Title"))
    body = TextAreaField(_l("Message (Markdown)"), validators=[DataRequired()])


class BoardForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    slug = StringField(_l("Slug"), validators=[Optional(), Length(max=64)])
    description = TextAreaField(_l("Description"), validators=[Length(max=2000)])


class ReasonForm(Form):
    reason = StringField(_l("Reason"), validators=[Length(max=500)])
