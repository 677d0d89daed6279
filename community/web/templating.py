"""Template filters and globals, registered in one place.

Some helpers here exist for speed: a list row calls them 20 times a page, so they
remember what cannot change within a process (a translated label, a formatted date)
or within a request (a URL pattern), and give back exactly what the slower path would.
"""

from datetime import UTC, datetime
from urllib.parse import quote, urlencode

from babel import dates
from flask import current_app, request
from flask_babel import format_datetime, get_locale, get_timezone, get_translations
from flask_babel.speaklater import LazyString
from jinja2 import pass_context
from markupsafe import Markup, escape

from ..kernel import clock
from . import jinja_modules, panels, urlmemo

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
# A path segment no row has, which quoting leaves as it is (url_maker).
_TEXT_SLOT = "ffslot7e3a9c1d"
# What werkzeug's default (string) converter leaves unquoted in a path segment
# (werkzeug.routing.converters.BaseConverter.to_url; a test holds the two equal).
_SEGMENT_SAFE = "!$&'()*+,/:;=@"
# This render's (locale, zone) in the template context, under a name no template uses.
_ZONE_KEY = "_ff_locale_zone"
# _words() by locale: a locale's catalog is loaded once per process (see _catalog).
_WORDS: dict = {}
_WORDS_MEMO_MAX = 4096
# The memos of drawn HTML, each keyed on all its output depends on (see drawn_memo).
_DRAWN: list = []


@pass_context
def local_time(context, value: datetime | None, fmt="medium", zoned=False):
    """A <time> element: server-rendered in the community's zone, and the browser
    rewrites it to the reader's own zone (static/js/site.js). zoned=True (times staff
    entered: a campaign's start, a round's end) keeps the community's zone and says
    which it is ("10:00 Asia/Shanghai"), as the form they were typed in did."""
    if value is None:
        return ""
    # Found once per render, but absent in a macro imported without context.
    locale_zone = context.get(_ZONE_KEY) or (get_locale(), get_timezone())
    key = (value, fmt, zoned and current_app.config["TIMEZONE"], *locale_zone)
    found = _TIMES.get(key)
    if found is None:
        iso = value.isoformat(timespec="seconds") + "Z"
        if zoned:
            zone = clock.zone()
            shown = dates.format_datetime(value.replace(tzinfo=UTC), fmt, tzinfo=zone,
                                          locale=locale_zone[0] or "en")
            found = Markup('<time datetime="%s" data-zone="%s">%s <span class="zone-label">%s</span></time>') % (
                iso, zone.key, shown, zone.key)
        else:
            found = Markup('<time datetime="%s">%s</time>') % (iso, format_datetime(value, fmt))
        if len(_TIMES) >= _TIMES_MAX:
            _TIMES.clear()
        _TIMES[key] = found
    return found


def _locale(context):
    """The render's locale, found once per render (absent in a macro imported without
    context: then flask_babel's)."""
    found = context.get(_ZONE_KEY)
    return found[0] if found else get_locale()


def _label(text, locale):
    if not isinstance(text, LazyString):
        return text
    key = (id(text), locale)
    found = _LABELS.get(key)
    if found is None:
        if len(_LABELS) >= _LABELS_MAX:
            _LABELS.clear()
        # bandit B704, reviewed: our own catalogue's translation.
        found = _LABELS[key] = (text, Markup(str(text)))  # nosec B704
    return found[1]


@pass_context
def label(context, text):
    """A lazily translated label, translated once per locale rather than at every use.

    Renders exactly as the lazy string does: flask_babel's LazyString.__html__ returns
    the translation unescaped, so this returns it as Markup."""
    return _label(text, _locale(context))


@pass_context
def labels(context, mapping):
    """label() for every value of a mapping of lazy labels (STATUS_NAMES and the like):
    a plain dict to look up many times in one page."""
    locale = _locale(context)
    return {k: _label(v, locale) for k, v in mapping.items()}


def url_maker(endpoint, arg, **values):
    """A function of one value giving url_for(endpoint, **values, **{arg: value}), for a
    string `arg` in the URL's path (a username): the URL is built once with a slot and
    each call quotes the value into it as werkzeug's string converter does, so a page
    of 20 rows builds one URL instead of 20."""
    url = urlmemo.url_for(endpoint, **values, **{arg: _TEXT_SLOT})
    head, found, tail = url.partition(_TEXT_SLOT)
    if not found or _TEXT_SLOT in tail or "?" in head:
        raise ValueError(f"url_maker: {endpoint} does not take {arg} once in its path")

    def make(value):
        return head + quote(str(value), safe=_SEGMENT_SAFE) + tail

    return make


@pass_context
def level_title(context, level):
    """The level's translated name, as str(level) gives it (escaped like any string)."""
    return str(_label(level.name, _locale(context)))


@pass_context
def user_links(context):
    """user_link(user, cls="author") for one render (templates/_macros/users.html): a
    name linked to its profile with its level's badge, as Markup. A list draws one per
    row, so it is a plain function (not a macro) with the profile URL and the locale found
    once per page, and a link is remembered per process: it is a pure function of the
    profile URL (its slotted form names the script root and host), the locale, the class,
    the name and the level."""
    profile_url, locale = url_maker("accounts.profile", "username"), _locale(context)
    site = (profile_url(_TEXT_SLOT), locale)

    def user_link(user, cls="author"):
        username, level = user.username, user.level
        key = (site, cls, username, level.number) if type(cls) is str else None
        found = _USER_LINKS.get(key) if key else None
        if found is None:
            # bandit B704, reviewed: every value is escaped, the level's number is an int.
            found = Markup(  # nosec B704
                f'<a class="{escape(cls)}" href="{escape(profile_url(username))}">'
                f'{escape(username)}</a><span class="level-badge lv{level.number:d}" '
                f'title="{escape(str(_label(level.name, locale)))}" data-testid="level">'
                f'Lv{level.number:d}</span>')
            if key:
                remember(_USER_LINKS, key, found)
        return found

    return user_link


# Ints no row has: the slots of variants(), which escaping and "%d" leave as they are.
_VARIANT_SLOTS = tuple(str(918273645546372800 + n) for n in range(4))


def variants(macro, slots):
    """For a per-reader hole drawn on every row of a page (``per_user_if`` around a post's
    like button): macro(flag, *values) drawn once per page for each flag, with its first
    `slots` values left as slots, and a function of the row's values giving the hole's
    caller, which fills them in (escaped, as the macro would have). Values after the
    slots are fixed: the macro is drawn once for each of theirs. A row then costs two
    string replacements instead of two macro calls."""
    marks = _VARIANT_SLOTS[:slots]
    drawn = {}

    def fill(*values):
        fixed = values[slots:]
        found = drawn.get(fixed)
        if found is None:
            found = drawn[fixed] = {flag: str(macro(flag, *map(int, marks), *fixed))
                                    for flag in (True, False)}
        filled = [str(escape(value)) for value in values[:slots]]

        def caller(flag):
            html = found[bool(flag)]
            for mark, value in zip(marks, filled, strict=True):
                html = html.replace(mark, value)
            # bandit B704, reviewed: the macro's output, with escaped values in its slots.
            return Markup(html)  # nosec B704

        return caller

    return fill


def url_pattern(endpoint, arg, **values):
    """url_for(endpoint, **values) with its integer argument `arg` left open as %d, so a
    template builds one pattern per page and `pattern % row.id` per row (the same URL
    url_for would give, without building it 20 times)."""
    url = urlmemo.url_for(endpoint, **values, **{arg: _SLOT})
    slot = str(_SLOT)
    if url.count(slot) != 1:
        raise ValueError(f"url_pattern: {endpoint} does not take {arg} once")
    return url.replace("%", "%%").replace(slot, "%d")


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


def drawn_memo():
    """A new per-process memo of drawn HTML (user links, avatars, amounts), filled with
    remember(). Every one is listed, so forget_drawn() empties them all."""
    memo = {}
    _DRAWN.append(memo)
    return memo


def forget_drawn():
    """Empty every memo of drawn HTML (a test's fresh render must draw, not recall)."""
    for memo in _DRAWN:
        memo.clear()


# user_link's links by (profile URL, locale, class, name, level).
_USER_LINKS = drawn_memo()


def remember(memo, key, value):
    """memo[key] = value in a per-process memo bounded at 4096 entries (emptied when full);
    returns value. The memos of drawn HTML (user links, avatars, amounts) share it."""
    if len(memo) >= _WORDS_MEMO_MAX:
        memo.clear()
    memo[key] = value
    return value


def _words(catalog):
    """(gettext, ngettext) of one locale's catalog for templates, giving what Jinja's
    newstyle gettext gives (the translation, as Markup when autoescaping, `%` the
    variables) for a fraction of its cost: Jinja's path resolves the function through
    the context and asks flask_babel for the locale (four context look-ups) at every
    call, some 50 calls a page. A message with no variables but the count is formatted
    once per process (bounded)."""
    done = {}

    @pass_context
    def gettext(context, message, **variables):
        escape = context.eval_ctx.autoescape
        # bandit B704, reviewed: the text is the catalog's own, and Markup's % escapes the
        # variables, as Jinja's i18n extension does under autoescape.
        if variables:
            text = catalog.ugettext(message)
            return (Markup(text) if escape else text) % variables  # nosec B704
        found = done.get((message, escape))
        if found is None:
            text = catalog.ugettext(message)
            found = remember(done, (message, escape),
                              (Markup(text) if escape else text) % {})  # nosec B704
        return found

    @pass_context
    def ngettext(context, singular, plural, num, **variables):
        escape = context.eval_ctx.autoescape
        key = None if variables else (singular, plural, num, escape)
        found = done.get(key) if key else None
        if found is None:
            variables.setdefault("num", num)
            text = catalog.ungettext(singular, plural, num)
            found = (Markup(text) if escape else text) % variables  # nosec B704
            if key:
                remember(done, key, found)
        return found

    return gettext, ngettext


def _words_of(locale):
    """_words() of `locale`'s catalog, kept per locale (a catalog is loaded once per process)."""
    words = _WORDS.get(locale)
    if words is None:
        words = _words(_catalog())
        if locale is not None:
            _WORDS[locale] = words
    return words


def _render_words():
    """Context processor: this render's gettext and ngettext (shadowing the environment's,
    which look the locale up at every call) and its locale and zone for local_time."""
    locale = get_locale()
    words = _words_of(locale)
    return {"_": words[0], "gettext": words[0], "ngettext": words[1],
            _ZONE_KEY: (locale, get_timezone())}


@pass_context
def _gettext(context, message, **variables):
    """The environment's gettext, for templates drawn without the context processors (a
    macro module imported without context): _words' for the request's locale, where
    Jinja's newstyle one resolves its function through the context and asks flask_babel
    for the catalog (some 60 calls where this makes 15)."""
    return _words_of(get_locale())[0](context, message, **variables)


@pass_context
def _ngettext(context, singular, plural, num, **variables):
    return _words_of(get_locale())[1](context, singular, plural, num, **variables)


def _install_gettext(env):
    """What flask_babel installs for templates (newstyle gettext: Jinja escapes and fills in
    the variables), with the catalog found by _catalog(), and gettext and ngettext (and _)
    as _words gives them."""
    env.install_gettext_callables(
        lambda s: _catalog().ugettext(s),
        lambda s, p, n: _catalog().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _catalog().upgettext(c, s),
        npgettext=lambda c, s, p, n: _catalog().unpgettext(c, s, p, n),
    )
    env.globals.update(_=_gettext, gettext=_gettext, ngettext=_ngettext)


def init_app(app):
    jinja_modules.init_app(app)
    urlmemo.init_app(app)
    _install_gettext(app.jinja_env)
    app.context_processor(_render_words)
    app.add_template_filter(local_time)
    app.add_template_global(url_with)
    app.add_template_global(url_pattern)
    app.add_template_global(url_maker)
    app.add_template_global(label)
    app.add_template_global(labels)
    app.add_template_global(level_title)
    app.add_template_global(user_links)
    app.add_template_global(variants)
    app.add_template_global(get_locale)
    app.add_template_global(panels.render, "panels")
