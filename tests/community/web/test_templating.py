"""The template helpers that exist for speed give exactly what the slower path gives."""

import hashlib
import inspect
from datetime import datetime
from urllib.parse import quote

import jinja2
import pytest
from flask import render_template_string, url_for
from flask_babel import force_locale, get_translations
from markupsafe import Markup
from werkzeug.routing.converters import UnicodeConverter

from community.accounts.rows import Author
from community.web import templating
from community.web.jinja_modules import Template

# Messages no catalog has come back as they are: "<i>&" shows whether a translation
# was taken as Markup (Jinja's newstyle gettext does, when autoescaping).
PROBE = ("{{ _('Boards') }}|{{ _('50%% off <i>&') }}|{{ _('Proposed by %(name)s', name=who) }}|"
         "{{ ngettext('%(num)d reply', '%(num)d replies', n) }}|"
         "{{ ngettext('%(num)d <i>&', '%(num)d <i>&s', n) }}|"
         "{{ ngettext('%(num)d reply', '%(num)d replies', 1) }}|{{ when|local_time('short') }}")
NAMES = ["zoe7", "李雷", "a b", "x%y", "a+b", "o'neil", "é~_-.", "<b>"]


def jinja_newstyle():
    """An environment with Jinja's own newstyle gettext over flask_babel's catalog, as
    flask_babel installs it: what the app's fast gettext replaces."""
    env = jinja2.Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    env.install_gettext_callables(lambda s: get_translations().ugettext(s),
                                  lambda s, p, n: get_translations().ungettext(s, p, n),
                                  newstyle=True)
    env.filters["local_time"] = templating.local_time
    return env


@pytest.mark.parametrize("locale", ["en", "zh"])
@pytest.mark.parametrize("escaped", [True, False])  # pages, and mail's plain text
def test_fast_gettext_and_local_time_give_what_jinja_gives(sqlite_app, locale, escaped):
    source = PROBE if escaped else "{% autoescape false %}" + PROBE + "{% endautoescape %}"
    values = {"who": "<em>Lei</em>", "n": 3, "when": datetime(2026, 3, 4, 5, 6, 7)}
    with sqlite_app.test_request_context("/"), force_locale(locale):
        slow = jinja_newstyle().from_string(source).render(values)
        # Template.render runs no context processors (a macro module imported without
        # context): the environment's gettext, which finds the locale per call.
        bare = sqlite_app.jinja_env.from_string(source).render(values)
        fast = render_template_string(source, **values)
    assert fast == slow and bare == slow
    assert ("&lt;em&gt;" in fast) is escaped
    assert ("回复" in fast) is (locale == "zh")


def test_url_maker_quotes_as_url_for_does(sqlite_app):
    with sqlite_app.test_request_context("/", base_url="http://fanforge.test/sub"):
        profile = templating.url_maker("accounts.profile", "username")
        for name in NAMES:
            assert profile(name) == url_for("accounts.profile", username=name)


def test_url_maker_refuses_an_argument_outside_the_path(sqlite_app):
    with sqlite_app.test_request_context("/"), pytest.raises(ValueError):
        templating.url_maker("ideas.board_ideas", "tag", slug="band")


def test_the_segment_quoting_is_werkzeugs():
    # url_maker quotes by werkzeug's rule, copied: this notices when werkzeug changes it.
    converter = UnicodeConverter(None)
    for name in [*NAMES, "".join(chr(c) for c in range(32, 127))]:
        assert quote(name, safe=templating._SEGMENT_SAFE) == converter.to_url(name)


# The macro user_links replaced (templates/_macros/users.html), written out.
USER_LINK_MACRO = """{%- macro user_link(user, cls='author') -%}
  {%- set level = user.level -%}
  <a class="{{ cls }}" href="{{ url_for('accounts.profile', username=user.username) }}">{{ user.username }}</a><span class="level-badge lv{{ level.number }}" title="{{ level_title(level) }}" data-testid="level">Lv{{ level.number }}</span>
{%- endmacro %}"""


@pytest.mark.parametrize("locale", ["en", "zh"])
def test_user_links_draw_what_the_macro_drew(sqlite_app, locale):
    """Drawn twice (the second from the per-process memo), for two script roots
    in turn: the macro's HTML each time."""
    people = [Author(n, name, "fan", points) for n, (name, points) in
              enumerate(zip(NAMES, [0, 25, 70, 160, 5_000, 9_999, None, 1_000], strict=True))]
    call = ("{% for p in people %}{{ user_link(p) }}|{{ user_link(p, cls='x \"<y>') }}|"
            "{{ user_link(p, cls=marked) }}|{{ user_link(p) }}|{% endfor %}")
    marked = Markup("x &amp; <y>")  # a class given as Markup is not escaped again
    for base_url in ("http://fanforge.test/sub", "http://fanforge.test/", "http://fanforge.test/sub"):
        with sqlite_app.test_request_context("/", base_url=base_url), force_locale(locale):
            slow = render_template_string(USER_LINK_MACRO + call, people=people, marked=marked)
            fast = render_template_string('{% from "_macros/users.html" import user_link with '
                                          'context %}' + call, people=people, marked=marked)
        assert fast == slow
        assert "lv12" in fast and (("/sub/u/" in fast) is base_url.endswith("/sub"))


def test_variants_fill_what_the_macro_draws(sqlite_app):
    """variants() draws a macro once per flag with slots and fills them per row: the same
    HTML as calling the macro for the row, its values escaped as the macro escapes them."""
    source = """{%- macro box(on, n, url) %}<a href="{{ url }}" class="{{ 'on' if on }}">{{ n }}</a>
 {{- '%d items' % n }}{% endmacro -%}
      {%- set boxes = variants(box, 2) -%}
      {%- for n, url in rows %}{{ boxes(n, url)(True) }}|{{ boxes(n, url)(False) }}|{{ box(True, n, url) }}|{{ box(False, n, url) }}
      {% endfor %}"""
    rows = [(0, "/a"), (7, "/b?x=1&y=<2>"), (918, '/c"x"')]
    with sqlite_app.test_request_context("/"):
        lines = render_template_string(source, rows=rows).strip().splitlines()
    assert len(lines) == 3
    for line in lines:
        fast_on, fast_off, slow_on, slow_off = line.strip().split("|")
        assert (fast_on, fast_off) == (slow_on, slow_off) and fast_on != fast_off


def test_variants_draw_once_per_fixed_value(sqlite_app):
    source = """{%- macro box(on, n, closed) %}{{ 'x' if on }}{{ n }}{{ ' closed' if closed }}{% endmacro -%}
      {%- set boxes = variants(box, 1) -%}
      {%- for n, closed in rows %}{{ boxes(n, closed)(True) }}|{{ box(True, n, closed) }}|{{ boxes(n, closed)(False) }}|{{ box(False, n, closed) }}
      {% endfor %}"""
    rows = [(1, False), (2, True), (3, False), (4, True)]
    with sqlite_app.test_request_context("/"):
        lines = render_template_string(source, rows=rows).strip().splitlines()
    for line in lines:
        fast_on, slow_on, fast_off, slow_off = line.strip().split("|")
        assert (fast_on, fast_off) == (slow_on, slow_off)
    assert len(lines) == 4 and lines[1].strip().startswith("x2 closed|")


@pytest.mark.parametrize("base_url", ["http://fanforge.test/", "http://fanforge.test/sub",
                                      "https://fanforge.test/other"])
def test_templates_url_for_gives_what_url_for_gives(sqlite_app, base_url):
    """community/web/urlmemo.py: the same URL as flask.url_for, whatever the script root,
    host or the values' types, the second time (from the memo) as the first."""
    calls = [("forum.index", {}), ("ideas.index", {"page": 2}), ("ideas.index", {"page": "2"}),
             ("ideas.index", {"flag": True}), ("ideas.index", {"flag": 1}),
             ("accounts.profile", {"username": "李雷"}), ("static", {"filename": "css/site.css"}),
             ("ideas.index", {"tag": ["a", "b"]}), ("ideas.index", {"_anchor": "x"}),
             ("ideas.index", {"_external": True})]
    for _round in range(2):
        with sqlite_app.test_request_context("/", base_url=base_url):
            memo = sqlite_app.jinja_env.globals["url_for"]
            for endpoint, values in calls:
                assert memo(endpoint, **values) == url_for(endpoint, **values)


# Jinja's own, which community/web/jinja_modules.py overrides (a private method): a Jinja
# whose version differs fails here, to be read again, not somewhere in a page.
JINJA_DEFAULT_MODULE = ("3.1.6", "1373f325dfe8ded6")


def test_jinja_modules_override_matches_the_version_it_was_written_for():
    source = inspect.getsource(jinja2.Template._get_default_module)
    assert (jinja2.__version__, hashlib.sha256(source.encode()).hexdigest()[:16]) \
        == JINJA_DEFAULT_MODULE


def test_imported_macros_see_the_same_globals_as_with_jinja_alone(sqlite_app):
    """An import without context gets a module of its own when the importing template has
    globals the imported one lacks, and the cached module otherwise, as Jinja's own."""
    sources = {"m.html": "{% macro show() %}{{ extra|default('none') }}{% endmacro %}",
               "page.html": "{% from 'm.html' import show %}{{ show() }}"}
    pages = []
    for template_class in (jinja2.Environment.template_class, Template):
        env = jinja2.Environment(loader=jinja2.DictLoader(sources))
        env.template_class = template_class
        page = env.get_template("page.html", globals={"extra": "page's"})
        pages.append((page.render(), env.get_template("page.html").render(extra="ctx")))
    assert pages[0] == pages[1]


def test_no_url_defaults_that_the_url_memo_would_miss(sqlite_app):
    """community/web/urlmemo.py keys a URL by endpoint, values, script root and host alone:
    right while no URL default function adds to them (they run as a URL is built)."""
    assert not any(sqlite_app.url_default_functions.values())
    assert all(not rule.host and not rule.subdomain for rule in sqlite_app.url_map.iter_rules())
