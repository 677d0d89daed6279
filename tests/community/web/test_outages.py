"""The truth when the database cannot answer: 503 (unreachable) or 507 (disk full) with
Retry-After, JSON on the API and a short page in the reader's language elsewhere, one log
line per outage, and /healthz and /readyz for load balancers."""

import logging

import pytest
from crowds import make_fans, make_tokens
from helpers import build_app, make_board, make_user
from servers import free_port
from sqlalchemy import event, func, select, text

from community.ideas import service as ideas
from community.ideas.models import Idea, Vote
from community.kernel.extensions import db

UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:{port}/fanforge"


@pytest.fixture
def dead_app(tmp_path):
    """An app whose PostgreSQL refuses connections (nothing listens on its port)."""
    return build_app(UNREACHABLE.format(port=free_port()), tmp_path)


def test_a_refused_database_answers_503_with_retry_after(dead_app, caplog):
    client = dead_app.test_client()
    with caplog.at_level(logging.WARNING):
        api = client.get("/api/v1/ideas")
        page = client.get("/ideas", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
        english = client.get("/", headers={"Accept-Language": "en"})
        assert client.get("/healthz").status_code == 200  # no database: proves nothing
        write = client.post("/login", data={"login": "fan", "password": "secret-enough"})
    assert api.status_code == 503
    assert api.json["error"]["code"] == "unavailable"
    assert api.headers["Retry-After"] == "5"
    assert page.status_code == 503 and page.headers["Retry-After"] == "5"
    assert "暂时无法访问" in page.text and "Traceback" not in page.text
    assert english.status_code == 503 and "Temporarily unavailable" in english.text
    assert write.status_code == 503
    # One warning with its cause for the outage, not a traceback per request.
    warnings = [r for r in caplog.records if r.name == "community.web.outages"]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert "unavailable" in warnings[0].getMessage()
    assert "refused" in warnings[0].getMessage().lower() or "connect" in warnings[0].getMessage()
    assert not [r for r in caplog.records if r.exc_info]


def test_healthz_needs_no_database_and_readyz_names_what_failed(dead_app):
    client = dead_app.test_client()
    healthz = client.get("/healthz")
    assert healthz.status_code == 200 and healthz.json == {"status": "ok"}
    readyz = client.get("/readyz")
    assert readyz.status_code == 503
    assert readyz.json["failed"] == ["database"]
    assert readyz.headers["Cache-Control"] == "no-store"


def test_readyz_checks_redis_where_it_is_configured(sqlite_app):
    client = sqlite_app.test_client()
    assert client.get("/readyz").json == {"status": "ok", "failed": [],
                                          "checks": {"database": "ok"}}
    sqlite_app.config["QUEUE_URL"] = f"redis://127.0.0.1:{free_port()}/7"
    sqlite_app.config["RATELIMIT_STORAGE_URI"] = sqlite_app.config["QUEUE_URL"]
    refused = client.get("/readyz")
    assert refused.status_code == 503
    assert refused.json["failed"] == ["redis (queue, limits)"]
    sqlite_app.config["QUEUE_URL"] = sqlite_app.config["RATELIMIT_STORAGE_URI"] = \
        "redis://127.0.0.1:6379/7"
    assert client.get("/readyz").status_code == 200


def test_health_endpoints_are_not_rate_limited(sqlite_app):
    sqlite_app.config["RATELIMIT_ENABLED"] = True
    client = sqlite_app.test_client()
    assert {client.get("/healthz").status_code for _ in range(200)} == {200}


def test_a_full_disk_answers_507_reads_go_on_and_writes_come_back(sqlite_app, caplog):
    """SQLITE_FULL from a lowered max_page_count (per connection, set at each checkout)
    stands for a disk that has no room left."""
    with sqlite_app.app_context():
        fan_tokens = make_tokens(make_fans([f"writer{n}" for n in range(30)]), "api")
        idea_id = ideas.propose(make_board(), make_user(), "Room to grow", "b").id
        pages = db.session.execute(text("PRAGMA page_count")).scalar()
        db.session.remove()
        limit = {"pages": pages}

        @event.listens_for(db.engine, "checkout")
        def _cap(dbapi_connection, _record, _proxy):
            dbapi_connection.execute(f"PRAGMA max_page_count = {limit['pages']}")

        db.engine.dispose()
    client = sqlite_app.test_client()

    def vote(n):
        return client.put(f"/api/v1/ideas/{idea_id}/vote",
                          headers={"Authorization": f"Bearer {fan_tokens[n]}"})

    answers = []
    with caplog.at_level(logging.WARNING):
        for n in range(30):  # the first writes fit in the free pages, then the disk is full
            answers.append(vote(n))
            if answers[-1].status_code == 507:
                break
        full = answers[-1]
        assert full.status_code == 507, [a.status_code for a in answers]
        assert full.json["error"]["code"] == "insufficient_storage"
        assert full.headers["Retry-After"] == "5"
        again = vote(len(answers) - 1)
        assert again.status_code == 507
        assert client.post(f"/ideas/{idea_id}/vote", data={"vote": "1"}).status_code == 302
        assert client.get(f"/api/v1/ideas/{idea_id}").status_code == 200  # reads go on
        assert client.get(f"/ideas/{idea_id}").status_code in (200, 301, 302, 308)
        limit["pages"] = 1_000_000  # space freed
        n = len(answers) - 1
        assert vote(n).status_code == 200  # recovered by itself
    ok = sum(1 for a in answers if a.status_code == 200) + 1
    with sqlite_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Vote)) == ok
        assert db.session.get(Idea, idea_id).votes == ok
        assert db.session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    messages = [r.getMessage() for r in caplog.records if r.name == "community.web.outages"]
    assert len(messages) == 2, messages  # out of space once, then answering again
    assert "out of space" in messages[0] and "answering again" in messages[1]
