"""Form pieces shared by every package."""

from babel import support
from flask import current_app, g
from flask_babel import get_locale
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from flask_wtf.csrf import _FlaskFormCSRF
from wtforms import DateTimeLocalField, HiddenField, PasswordField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.i18n import messages_path

from ..kernel import clock
from ..kernel.plaintext import multi_line, single_line
from .pagecache import csrf_placeholder, submit_token

# WTForms' own catalogs by locale: files that never change while the process runs.
_WTFORMS_CATALOGS: dict = {}


class _PageCacheCSRF(_FlaskFormCSRF):
    """Flask-WTF's CSRF field, leaving its token to be filled in per response while the
    page may be stored for other visitors (community/web/pagecache/serving.py)."""

    def generate_csrf_token(self, csrf_token_field):
        if g.get("page_cache_key") is not None:
            return csrf_placeholder()
        return super().generate_csrf_token(csrf_token_field)


class Form(FlaskForm):
    """Every form's base: a FlaskForm that a visitor's stored page can carry."""

    class Meta:
        csrf_class = _PageCacheCSRF

        def bind_field(self, form, unbound_field, options):
            # Every text field drops control and bidi-override characters before its own
            # filters (community/kernel/plaintext.py); a password is taken as typed.
            kind = unbound_field.field_class
            clean = (multi_line if issubclass(kind, TextAreaField)
                     else single_line if issubclass(kind, StringField)
                     and not issubclass(kind, PasswordField) else None)
            if clean is not None:
                options["filters"] = (clean, *unbound_field.kwargs.get("filters", ()))
            return super().bind_field(form, unbound_field, options)

        def get_translations(self, form):
            # Flask-WTF reads WTForms' catalog from its file again for each request that
            # builds a form (a field without a label asks for one): 7% of a member's idea
            # page. The same catalog, loaded once per locale for the process.
            locale = get_locale() if current_app.config.get("WTF_I18N_ENABLED", True) else None
            if locale is None:
                return super().get_translations(form)
            found = _WTFORMS_CATALOGS.get(locale)
            if found is None:
                found = _WTFORMS_CATALOGS[locale] = support.Translations.load(
                    messages_path(), [locale], domain="wtforms")
            return found


class OnceForm(Form):
    """A form whose second submit does nothing new: the token is unique per author."""

    submit_token = HiddenField(default=submit_token)


def choices(pairs):
    """(value, label) pairs as WTForms choices (tuples are deprecated in WTForms 3.3)."""
    return [SelectChoice(value, label) for value, label in pairs]


class ZonedDateTimeField(DateTimeLocalField):
    """A date and time typed in the community's zone (TIMEZONE, e.g. Asia/Shanghai): its
    label names the zone ("Starts (Asia/Shanghai)"), and .utc is the value as the
    database keeps it, naive UTC."""

    def __init__(self, label=None, validators=None, format="%Y-%m-%dT%H:%M", **kwargs):
        super().__init__(label, validators, format=format, **kwargs)
        text = self.label.text
        self.label.text = LazyString(lambda: f"{text} ({clock.zone().key})")

    @property
    def utc(self):
        return clock.local_to_utc(self.data)
