"""The UI speaks Simplified Chinese and English."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from helpers import build_app, make_user

from community.accounts import service as accounts
from community.forum.forms import ReplyForm

pytestmark = pytest.mark.one_database

ROOT = Path(__file__).resolve().parents[3]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
METHODS = [("community/**.py", "python"), ("products/**.py", "python"),
           ("templates/**.html", "jinja2")]


def test_accept_language_picks_chinese(client):
    page = client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert 'lang="zh-CN"' in page.get_data(as_text=True)
    assert "版块" in page.get_data(as_text=True)
    page = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert "Boards" in page.get_data(as_text=True)


def test_header_switch_for_visitors(client):
    response = client.post("/locale", data={"locale": "zh", "next": "/login"})
    assert response.headers["Location"] == "/login"
    assert "登录" in client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)


@pytest.mark.parametrize("sent", [
    ({"Sec-Fetch-Site": "same-origin"}, 302), ({"Sec-Fetch-Site": "none"}, 302),
    ({"Origin": "http://localhost"}, 302), ({}, 302),  # no browser's word: a script's
    ({"Sec-Fetch-Site": "cross-site"}, 400), ({"Sec-Fetch-Site": "same-site"}, 400),
    ({"Origin": "https://evil.example"}, 400), ({"Origin": "null"}, 400),
    ({"Sec-Fetch-Site": "cross-site", "Origin": "http://localhost"}, 400),
])
def test_a_visitors_switch_comes_from_this_site_or_sets_nothing(tmp_path, sent):
    """A visitor's switch takes no token (their pages carry none), so where a browser says
    the form came from decides: another site's answer would set a session cookie over a
    member's own, whose cross-site POST carries no cookie."""
    app = build_app(f"sqlite:///{tmp_path}/i18n.sqlite3", tmp_path, WTF_CSRF_ENABLED=True)
    headers, status = sent
    answer = app.test_client().post("/locale", data={"locale": "zh", "next": "/login"},
                                    headers=headers)
    assert answer.status_code == status
    assert bool(answer.headers.getlist("Set-Cookie")) == (status == 302)


def test_users_setting_beats_the_browser(app, client, auth):
    with app.app_context():
        make_user("lilei")
    auth.login("lilei")
    client.post("/locale", data={"locale": "zh"})
    with app.app_context():
        assert accounts.get_by_username("lilei").locale == "zh"
    fresh = app.test_client()
    fresh.post("/login", data={"login": "lilei", "password": "correct-horse-9"})
    assert "版块" in fresh.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_unknown_locale_is_ignored(client):
    client.post("/locale", data={"locale": "xx"})
    assert "Boards" in client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_form_errors_are_translated(client):
    response = client.post("/register", headers={"Accept-Language": "zh"},
                           data={"username": "ok_name", "email": "e@example.com", "password": "short"})
    assert "密码至少需要 8 个字符" in response.get_data(as_text=True)


@pytest.mark.parametrize("locale", ["zh"])
def test_every_ui_string_is_translated(locale):
    with (ROOT / f"translations/{locale}/LC_MESSAGES/messages.po").open("rb") as po:
        catalog = read_po(po)
    translated = {(m.id[0] if isinstance(m.id, tuple) else m.id)
                  for m in catalog if m.id and (m.string[0] if isinstance(m.string, tuple) else m.string)}
    found = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
        str(ROOT), METHODS, keywords=KEYWORDS,
        options_map={"templates/**.html": {"extensions": "jinja2.ext.i18n"}},
        directory_filter=lambda d: not Path(d).name.startswith((".", "node_modules"))
        and ".venv" not in d,
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    assert len(found) > 100  # the extraction really read the code
    missing = sorted(found - translated)
    assert missing == [], "run `make messages` and translate: " + ", ".join(missing[:20])


def test_form_messages_follow_each_requests_locale(app):
    """WTForms' catalog is kept per locale for the process (community/web/forms.py): a
    required field's message is Chinese in a zh request and English after it."""
    for language, message in (("zh", "该字段是必填字段。"), ("en", "This field is required."),
                              ("zh", "该字段是必填字段。")):
        with app.test_request_context("/", method="POST", data={"body": ""},
                                      headers={"Accept-Language": language}):
            form = ReplyForm(meta={"csrf": False})
            assert not form.validate()
            assert form.body.errors == [message]
