"""Conversation pages through the test client: the list, the envelope, a conversation with
its poll (JSON, 304, few queries), sending, blocking from a profile, reports for staff."""

import pytest
from helpers import PASSWORD, make_user
from querycount import counting

from community.accounts import service as accounts
from community.kernel.extensions import db
from community.messages import sending, service
from community.messages.models import Message

pytestmark = pytest.mark.one_database


def _login(client, name):
    assert client.post("/login", data={"login": name, "password": PASSWORD}).status_code == 302


def test_start_send_and_read_with_the_envelope(app, client):
    with app.app_context():
        make_user("li")
        make_user("mei")
    _login(client, "li")
    response = client.post("/conversations/new", data={"participants": "mei", "title": "",
                                                       "body": "Hi **Mei**"})
    assert response.status_code == 302
    url = response.headers["Location"]
    conversation_id = int(url.rsplit("/", 1)[1])
    assert 'data-testid="envelope-count"' not in client.get("/").get_data(as_text=True)
    client.post("/logout")
    _login(client, "mei")
    home = client.get("/").get_data(as_text=True)
    assert 'data-testid="envelope-count">1<' in home
    assert 'class="conversation-row unread"' in client.get("/conversations").get_data(as_text=True)
    page = client.get(url).get_data(as_text=True)
    assert "<strong>Mei</strong>" in page and 'data-chat' in page
    assert 'data-testid="envelope-count"' not in client.get("/").get_data(as_text=True)
    sent = client.post(f"/conversations/{conversation_id}/messages", data={"body": "Hello Li"},
                       headers={"Accept": "application/json"})
    assert sent.status_code == 201
    empty = client.post(f"/conversations/{conversation_id}/messages", data={"body": " "},
                        headers={"Accept": "application/json"})
    assert empty.status_code == 422


def test_the_poll_answers_new_messages_empty_or_304(app, client):
    with app.app_context():
        li = make_user("li")
        make_user("mei")
        conversation, _ = service.start(li, ["mei"])
        first = sending.send(conversation.id, li, "one")
        cid, first_id = conversation.id, first.id
    _login(client, "mei")
    poll = client.get(f"/conversations/{cid}/messages?after=0")
    body = poll.get_json()
    assert [i["id"] for i in body["items"]] == [first_id] and body["last_id"] == first_id
    assert "one" in body["items"][0]["html"]
    etag = poll.headers["ETag"]
    quiet = client.get(f"/conversations/{cid}/messages?after={first_id}")
    assert quiet.get_json() == {"items": [], "last_id": first_id}
    assert client.get(f"/conversations/{cid}/messages?after={first_id}",
                      headers={"If-None-Match": etag}).status_code == 304
    with app.app_context():
        second = sending.send(cid, accounts.get_by_username("li"), "two").id
    fresh = client.get(f"/conversations/{cid}/messages?after={first_id}",
                       headers={"If-None-Match": etag})
    assert [i["id"] for i in fresh.get_json()["items"]] == [second]
    assert client.get(f"/conversations/{cid}/messages?after=x").status_code == 400


def test_the_quiet_poll_costs_two_queries_and_no_write(app, client):
    with app.app_context():
        li = make_user("li")
        make_user("mei")
        conversation, _ = service.start(li, ["mei"])
        last = [sending.send(conversation.id, li, f"m{i}") for i in range(30)][-1]
        cid, last_id = conversation.id, last.id
    _login(client, "mei")
    client.get(f"/conversations/{cid}/messages?after=0")  # reads and marks read
    with counting() as sql:
        assert client.get(f"/conversations/{cid}/messages?after={last_id}").status_code == 200
    # The signed-in user, then the participant row: nothing else, and no write.
    assert len(sql) == 2, sql
    assert not any(s.lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE")) for s in sql)


def test_block_and_message_from_a_profile(app, client):
    with app.app_context():
        make_user("li")
        make_user("mei")
    _login(client, "mei")
    page = client.get("/u/li").get_data(as_text=True)
    assert 'data-testid="message-user"' in page and 'data-testid="block-user"' in page
    client.post("/u/li/block")
    assert 'data-testid="unblock-user"' in client.get("/u/li").get_data(as_text=True)
    client.post("/logout")
    _login(client, "li")
    client.post("/u/mei/message")
    with app.app_context():
        assert service.conversations_of(accounts.get_by_username("li")).items == []


def test_staff_see_reported_messages_only(app, client):
    with app.app_context():
        li, mei = make_user("li"), make_user("mei")
        make_user("mod", role="staff")
        conversation, _ = service.start(li, ["mei"])
        sending.send(conversation.id, mei, "private chatter")
        bad = sending.send(conversation.id, li, "nasty words")
        cid, bad_id = conversation.id, bad.id
    _login(client, "mod")
    assert client.get(f"/conversations/{cid}").status_code == 404
    assert "nasty" not in client.get("/mod/reports").get_data(as_text=True)
    client.post("/logout")
    _login(client, "mei")
    assert client.post(f"/report/message/{bad_id}", data={"reason": "abuse"}).status_code == 302
    client.post("/logout")
    _login(client, "mod")
    queue = client.get("/mod/reports").get_data(as_text=True)
    assert "nasty words" in queue
    detail = client.get(f"/mod/reports/message/{bad_id}").get_data(as_text=True)
    assert "nasty words" in detail and "private chatter" in detail
    client.post(f"/mod/reports/message/{bad_id}/removed", data={"reason": "abuse"})
    with app.app_context():
        assert db.session.get(Message, bad_id).hidden
    client.post("/logout")
    _login(client, "mei")
    assert "nasty words" not in client.get(f"/conversations/{cid}").get_data(as_text=True)


def test_conversations_list_and_group_members(app, client):
    with app.app_context():
        for name in ("li", "mei", "wang"):
            make_user(name)
    _login(client, "li")
    response = client.post("/conversations/new", data={"participants": "mei", "title": "Trip",
                                                       "body": ""})
    url = response.headers["Location"]
    client.post(f"{url}/members", data={"usernames": "wang"})
    page = client.get(url).get_data(as_text=True)
    assert "wang" in page.split('data-testid="conversation-members"')[1].split("</p>")[0]
    assert "Trip" in client.get("/conversations").get_data(as_text=True)
    client.post(f"{url}/leave")
    assert client.get(url).status_code == 404


def test_a_report_shows_staff_only_what_the_reporter_could_read(app, client):
    with app.app_context():
        li, mei = make_user("li"), make_user("mei")
        make_user("late")
        make_user("mod", role="staff")
        group, _ = service.start(li, ["mei"], title="Old friends")
        sending.send(group.id, mei, "history before the newcomer")
        service.add_members(group.id, li, ["late"])
        bad = sending.send(group.id, li, "rude to the newcomer")
        bad_id = bad.id
    _login(client, "late")
    assert client.post(f"/report/message/{bad_id}", data={"reason": "abuse"}).status_code == 302
    client.post("/logout")
    _login(client, "mod")
    detail = client.get(f"/mod/reports/message/{bad_id}").get_data(as_text=True)
    assert "rude to the newcomer" in detail
    assert "history before the newcomer" not in detail
