"""Where the site is (community/web/site.py): absolute links from FANFORGE_SITE_URL only, the
hosts it answers for, and the prefix it runs under from config only."""

from pathlib import Path

from helpers import build_app, make_board, make_user

from community.ideas import service as ideas
from community.kernel.extensions import db
from community.web import site

ROOT = Path(__file__).resolve().parents[3]


def _app(tmp_path, **config):
    app = build_app(f"sqlite:///{tmp_path}/site.sqlite3", tmp_path, **config)
    with app.app_context():
        db.create_all()
    return app


def test_api_links_come_from_the_site_url_whatever_host_asked(tmp_path):
    app = _app(tmp_path, SITE_URL="https://fans.example.test",
               TRUSTED_HOSTS="fans.example.test, alias.example.test")
    with app.app_context():
        idea_id = ideas.propose(make_board(), make_user(), "Linked", "b").id
    for host in ("alias.example.test", "fans.example.test:8443"):
        listed = app.test_client().get("/api/v1/ideas", headers={"Host": host})
        assert listed.status_code == 200
        assert [i["url"] for i in listed.get_json()["items"]] == \
            [f"https://fans.example.test/ideas/{idea_id}"]


def test_a_host_the_site_does_not_serve_gets_a_400(tmp_path):
    app = _app(tmp_path, SITE_URL="https://fans.example.test", ENV="production",
               SECRET_KEY="x" * 32, PAYMENTS_PROVIDER="stripe")
    client = app.test_client()
    page = client.get("/ideas", headers={"Host": "evil.example"})
    assert page.status_code == 400 and b"host" in page.data
    # Answered before the app runs, and still under the security headers.
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    api = client.get("/api/v1/ideas", headers={"Host": "evil.example"})
    assert api.status_code == 400 and api.get_json()["error"]["code"] == "bad_host"
    # In production, localhost is not one of the site's hosts unless configured.
    assert client.get("/ideas", headers={"Host": "localhost"}).status_code == 400
    assert client.get("/ideas", headers={"Host": "fans.example.test"}).status_code == 200


def test_trusted_hosts_from_config():
    base = {"SITE_URL": "https://fans.example.test/", "ENV": "development"}
    assert site.trusted_hosts(base) == ["fans.example.test", "localhost", "127.0.0.1"]
    assert site.trusted_hosts(dict(base, ENV="production")) == ["fans.example.test"]
    assert site.trusted_hosts(dict(base, TRUSTED_HOSTS="a.example, .b.example")) == \
        ["fans.example.test", "a.example", ".b.example"]
    assert site.trusted_hosts(dict(base, TRUSTED_HOSTS=["fans.example.test"])) == \
        ["fans.example.test"]


def test_the_script_root_comes_from_config_only(tmp_path):
    plain = _app(tmp_path).test_client()
    # As gunicorn hands on GET //evil.example/ideas with a SCRIPT_NAME header: that path.
    sent = plain.get("/ideas", environ_overrides={"SCRIPT_NAME": "//evil.example"})
    assert sent.status_code == 404 and b"//evil.example" not in sent.data
    mounted = _app(tmp_path, SCRIPT_ROOT="/forum/").test_client()
    for path in ("/forum/ideas", "/ideas"):  # a proxy may pass the prefix on or strip it
        page = mounted.get(path)
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert 'src="/forum/static/js/site.js' in text
        # The header's and the tab bar's links, kept per worker, are kept per prefix too.
        assert 'class="brand" href="/forum/"' in text and 'href="/forum/ideas" class="tab' in text
    plain_page = plain.get("/ideas").get_data(as_text=True)
    assert 'class="brand" href="/"' in plain_page and 'href="/ideas" class="tab' in plain_page


def test_no_absolute_link_is_built_from_the_request():
    """Every absolute link goes through community/web/site.py: url_for(..., _external=True)
    and request.host_url take the host a client sent."""
    found = []
    for folder, pattern in (("community", "*.py"), ("products", "*.py"),
                            ("templates", "*.html"), ("templates", "*.txt")):
        for path in (ROOT / folder).rglob(pattern):
            text = path.read_text()
            if path.name != "site.py" and ("_external" in text or "host_url" in text
                                           or "url_root" in text):
                found.append(str(path.relative_to(ROOT)))
    assert found == []
