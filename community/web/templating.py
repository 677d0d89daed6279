"""Template filters and globals, registered in one place.

Some helpers here exist for speed: a list row calls them 20 times a page, so they
remember what cannot change within a process (a translated label, a formatted date)
or within a request (a URL pattern), and give back exactly what the slower path would.
"""

from datetime import datetime
from urllib.parse import urlencode

from flask import current_app, request, url_for
from flask_babel import format_datetime, get_locale, get_timezone, get_translations
from flask_babel.speaklater import LazyString
from markupsafe import Markup

from . import panels

# Formatted <time> elements by (value, format, locale, zone): a pure function of its key,
# so a process-wide memo needs no invalidation. Bounded: cleared when it fills.
_TIMES: dict = {}
_TIMES_MAX = 4096
# Translated labels by (id of the lazy string, locale): flask_babel loads a locale's
# catalog once per process and keeps it (one Domain, cached), so this is as fresh as
# gettext itself. The lazy string is kept in the value so its id cannot be reused.
_LABELS: dict = {}
_LABELS_MAX = 2048
# Catalogs by locale (see _catalog).
_CATALOGS: dict = {}
# An integer no row has: url_pattern builds a URL with it and turns it into %d.
_SLOT = 918273645546372819


def local_time(value: datetime | None, fmt="medium"):
    """A <time> element: server-rendered in the community's zone, and the browser
    rewrites it to the reader's own zone (static/js/site.js)."""
    if value is None:
        return ""
    key = (value, fmt, get_locale(), get_timezone())
    found = _TIMES.get(key)
    if found is None:
        iso = value.isoformat(timespec="seconds") + "Z"
        found = Markup('<time datetime="%s">%s</time>') % (iso, format_datetime(value, fmt))
        if len(_TIMES) >= _TIMES_MAX:
            _TIMES.clear()
        _TIMES[key] = found
    return found


def label(text):
    """A lazily translated label, translated once per locale rather than at every use.

    Renders exactly as the lazy string does: flask_babel's LazyString.__html__ returns
    the translation unescaped, so this returns it as Markup."""
    if not isinstance(text, LazyString):
        return text
    key = (id(text), get_locale())
    found = _LABELS.get(key)
    if found is None:
        if len(_LABELS) >= _LABELS_MAX:
            _LABELS.clear()
        # bandit B704, reviewed: our own catalogue's translation.
        found = _LABELS[key] = (text, Markup(str(text)))  # nosec B704
    return found[1]


def labels(mapping):
    """label() for every value of a mapping of lazy labels (STATUS_NAMES and the like):
    a plain dict to look up many times in one page."""
    return {k: label(v) for k, v in mapping.items()}


def level_title(level):
    """The level's translated name, as str(level) gives it (escaped like any string)."""
    return str(label(level.name))


def url_pattern(endpoint, arg, **values):
    """url_for(endpoint, **values) with its integer argument `arg` left open as %d, so a
    template builds one pattern per page and `pattern % row.id` per row (the same URL
    url_for would give, without building it 20 times)."""
    url = url_for(endpoint, **values, **{arg: _SLOT})
    slot = str(_SLOT)
    if url.count(slot) != 1:
        raise ValueError(f"url_pattern: {endpoint} does not take {arg} once")
    return url.replace("%", "%%").replace(slot, "%d")


class Fragments:
    """Renders many small templates (cards, messages) for one response at the cost of one:
    the app's context processors (the signed-in user, the header's state, ...) run once
    here, not once per fragment as render_template would, so a page of 50 cards issues
    the queries of a page of 5."""

    def __init__(self):
        self.base = {}
        current_app.update_template_context(self.base)

    def __call__(self, name, **context):
        template = current_app.jinja_env.get_or_select_template(name)
        # bandit B704, reviewed: an autoescaped template's output.
        return Markup(template.render({**self.base, **context}))  # nosec B704


def render_fragment(template_name, **context):
    """One piece of the page, rendered by the view (the campaign widget)."""
    return Fragments()(template_name, **context)


def url_with(**changes):
    """The current URL with some query arguments changed (None removes one)."""
    args = request.args.to_dict()
    args.update(changes)
    args = {k: v for k, v in args.items() if v is not None}
    return request.path + ("?" + urlencode(args) if args else "")


def _catalog():
    """flask_babel.get_translations(), found by locale in a dict: flask_babel keeps one
    catalog per locale for the process (its Domain's cache), so this is the same object
    without the four context look-ups and the locale-to-string of every call."""
    locale = get_locale()
    found = _CATALOGS.get(locale)
    if found is None:
        found = get_translations()
        if locale is not None:  # outside a request flask_babel gives a fresh NullTranslations
            _CATALOGS[locale] = found
    return found


def _install_gettext(env):
    """What flask_babel installs for templates (newstyle gettext: Jinja escapes and fills in
    the variables), with the catalog found by _catalog(). Templates call _() some 50 times
    a page."""
    env.install_gettext_callables(
        lambda s: _catalog().ugettext(s),
        lambda s, p, n: _catalog().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _catalog().upgettext(c, s),
        npgettext=lambda c, s, p, n: _catalog().unpgettext(c, s, p, n),
    )


def init_app(app):
    _install_gettext(app.jinja_env)
    app.add_template_filter(local_time)
    app.add_template_global(url_with)
    app.add_template_global(url_pattern)
    app.add_template_global(label)
    app.add_template_global(labels)
    app.add_template_global(level_title)
    app.add_template_global(get_locale)
    app.add_template_global(panels.render, "panels")
