"""No template holds what the Content-Security-Policy refuses (community/web/securityheaders.py):
inline <script>, on*= handler attributes, javascript: URLs, style= attributes or <style>.
Behaviour lives in static/js, looks in static/css; data for a script goes in data-
attributes or a <script type="application/json"> block.

Mail bodies are not pages: mail clients want inline styles, and no policy applies."""

import re
from pathlib import Path

from inlinecode import inline_code
from jinja2 import Environment, meta

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
MAIL_LAYOUT = "community/mail/_layout.html"
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)


def _names():
    return sorted(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html"))


def _mail_templates():
    """The mail layout, the mails built on it, and what those include."""
    env = Environment()
    sources = {name: (TEMPLATES / name).read_text() for name in _names()}
    refs = {name: set(meta.find_referenced_templates(env.parse(src)))
            for name, src in sources.items()}
    mail = {MAIL_LAYOUT} | {name for name, r in refs.items() if MAIL_LAYOUT in r}
    for name in list(mail):
        mail |= {r for r in refs[name] if r}
    return mail


def test_no_page_template_holds_inline_code_or_style():
    mail = _mail_templates()
    assert {"community/mail/digest.html", "community/mail/_button.html"} <= mail
    assert "community/mail/unsubscribe.html" not in mail  # a page, though under mail/
    found = {}
    for name in _names():
        if name in mail:
            continue
        # Jinja's own tags go; what is left is the HTML the browser will be given.
        html = JINJA.sub("", (TEMPLATES / name).read_text())
        if problems := inline_code(html):
            found[name] = sorted(set(problems))
    assert found == {}
    assert len(_names()) - len(mail) > 80  # the scan really read the templates


def test_the_scan_sees_what_it_looks_for():
    html = ('<a href="javascript:go()">x</a><button onclick="go()">y</button>'
            '<span style="width: 4%"></span><style>p{}</style><script>go()</script>'
            '<script type="application/json">{"a": 1}</script><script src="/s.js"></script>')
    assert sorted(set(inline_code(html))) == [
        "<a href=javascript:>", "<button onclick=>", "<span style=>", "<style>",
        "inline <script>"]
