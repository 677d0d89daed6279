import pytest
from helpers import make_board, make_thread, make_user

from community.forum import boards as board_service
from community.forum import moderation, service
from community.forum.models import Post, Thread
from community.kernel.extensions import db

pytestmark = pytest.mark.one_database


@pytest.fixture
def board_slug(app):
    with app.app_context():
        return make_board("band", "手环 Band").slug


def test_home_lists_boards_with_counts_and_latest_activity(app, client, board_slug):
    with app.app_context():
        make_thread(board_service.get_board(board_slug), title="续航问题")
    page = client.get("/").get_data(as_text=True)
    assert "手环 Band" in page
    assert "1 thread" in page
    assert "续航问题" in page


def test_create_thread_and_reply_through_forms(app, client, auth, board_slug):
    with app.app_context():
        make_user("lilei")
    auth.login("lilei")
    response = client.post(f"/b/{board_slug}/new", data={"title": "NFC please",
                                                         "body": "Door cards on the **band**",
                                                         "submit_token": "t1"})
    assert response.status_code == 302
    thread_url = response.headers["Location"]
    page = client.get(thread_url).get_data(as_text=True)
    assert "NFC please" in page and "<strong>band</strong>" in page
    response = client.post(thread_url + "/reply", data={"body": "+1 from me", "submit_token": "t2"})
    assert response.status_code == 302 and "#post-" in response.headers["Location"]
    assert "+1 from me" in client.get(thread_url).get_data(as_text=True)
    # The same form sent twice: still one reply.
    client.post(thread_url + "/reply", data={"body": "+1 from me", "submit_token": "t2"})
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Post.id))) == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "x" * 201, "body": "b"}, "200 characters or fewer"),
        ({"title": "x" * 500, "body": "b"}, "200 characters or fewer"),
        ({"title": "ok", "body": "   "}, "This field is required"),
        ({"title": "", "body": "b"}, "This field is required"),
    ],
)
def test_bad_thread_forms_show_errors_and_write_nothing(app, client, auth, board_slug, data, message):
    with app.app_context():
        make_user("lilei")
    auth.login("lilei")
    response = client.post(f"/b/{board_slug}/new", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Thread.id))) == 0


def test_unknown_ids_are_404(app, client, auth):
    with app.app_context():
        make_user("lilei")
    auth.login("lilei")
    for url in ("/t/999", "/p/999", "/b/nope", "/u/ghost", "/b/nope/new", "/p/999/edit"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Not found" in response.get_data(as_text=True), url


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "99999999999999"])
def test_bad_page_numbers_are_400(app, client, page):
    with app.app_context():
        thread = make_thread()
    response = client.get(f"/t/{thread.id}?page={page}")
    assert response.status_code == 400
    assert "positive whole number" in response.get_data(as_text=True)


def test_bad_board_cursor_is_400(client, board_slug):
    assert client.get(f"/b/{board_slug}?before=garbage").status_code == 400


def test_board_page_shows_pinned_first_and_pages_by_cursor(app, client, board_slug):
    with app.app_context():
        board = board_service.get_board(board_slug)
        author, staff = make_user(), make_user(role="staff")
        threads = [service.create_thread(board, author, f"Topic {i:02d}", "b") for i in range(25)]
        moderation.set_pinned(threads[3], staff, True)
    page = client.get(f"/b/{board_slug}").get_data(as_text=True)
    assert page.index("Topic 03") < page.index("Topic 24")
    older = page.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    second = client.get(older).get_data(as_text=True)
    assert "Topic 00" in second and "Topic 24" not in second


def test_locked_and_hidden_threads_answer_replies_clearly(app, client, auth):
    with app.app_context():
        make_user("lilei")
        staff = make_user(role="staff")
        locked, hidden = make_thread(), make_thread()
        moderation.set_locked(locked, staff, True)
        moderation.set_thread_hidden(hidden, staff, True)
    auth.login("lilei")
    response = client.post(f"/t/{locked.id}/reply", data={"body": "hi"})
    assert response.status_code == 403
    assert "locked" in response.get_data(as_text=True)
    response = client.post(f"/t/{hidden.id}/reply", data={"body": "hi"})
    assert response.status_code == 404
    assert client.get(f"/t/{hidden.id}").status_code == 404


def test_markdown_is_sanitised(app, client, auth):
    with app.app_context():
        make_user("lilei")
        thread = make_thread()
    auth.login("lilei")
    evil = ("<script>alert(1)</script> [x](javascript:alert(1)) ![i](data:image/png;base64,AA) "
            '<img src=x onerror="alert(1)"> [ok](https://example.com)')
    client.post(f"/t/{thread.id}/reply", data={"body": evil})
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    body = page.split('id="post-', 2)[2]
    assert "<script>" not in body
    assert "<img src=x" not in body and "&lt;img src=x" in body  # shown as text, not a tag
    assert 'href="javascript:' not in body
    assert 'src="data:' not in body
    assert 'href="https://example.com" rel="nofollow ugc"' in body


def test_edit_and_delete_own_post(app, client, auth):
    with app.app_context():
        lilei = make_user("lilei")
        thread = make_thread()
        reply = service.reply(thread, lilei, "first version")
    auth.login("lilei")
    assert client.get(f"/p/{reply.id}/edit").status_code == 200
    response = client.post(f"/p/{reply.id}/edit", data={"body": "second version"})
    assert response.status_code == 302
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "second version" in page and "edited" in page
    client.post(f"/p/{reply.id}/delete")
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "second version" not in page and "removed by its author" in page


def test_cannot_edit_someone_elses_post(app, client, auth):
    with app.app_context():
        make_user("lilei")
        thread = make_thread()
    auth.login("lilei")
    first = f"/p/{thread.id}"
    assert client.get(first + "/edit").status_code == 403
    assert client.post(first + "/edit", data={"body": "mine now"}).status_code == 403
    assert client.post(first + "/delete").status_code == 403


def test_like_by_form_and_by_json(app, client, auth):
    with app.app_context():
        make_user("lilei")
        thread = make_thread()
        post_id = service.first_post(thread).id
    auth.login("lilei")
    assert client.post(f"/p/{post_id}/like", data={"liked": "1"}).status_code == 302
    response = client.post(f"/p/{post_id}/like", data={"liked": "1"},
                           headers={"Accept": "application/json"})
    assert response.get_json() == {"liked": True, "likes": 1}
    response = client.post(f"/p/{post_id}/like", data={"liked": "0"},
                           headers={"Accept": "application/json"})
    assert response.get_json() == {"liked": False, "likes": 0}


def test_anonymous_visitors_are_sent_to_sign_in(client, board_slug):
    response = client.get(f"/b/{board_slug}/new")
    assert response.status_code == 302 and "/login?next=" in response.headers["Location"]


def test_error_pages_are_styled(client):
    page = client.get("/nothing-here").get_data(as_text=True)
    assert "site-header" in page and "404" in page


def test_each_reply_box_names_its_thread_and_a_refused_reply_keeps_the_text(app, client, auth,
                                                                           board_slug):
    """A fresh reply box is kept per language with a slot for the thread: each page's box
    names its own thread; a refused reply comes back with what was typed."""
    with app.app_context():
        make_user("hanmei")
        board = board_service.get_board(board_slug)
        ids = make_thread(board, title="First").id, make_thread(board, title="Second").id
    auth.login("hanmei")
    for thread_id, other in (ids, ids[::-1], ids):  # drawn, then kept
        page = client.get(f"/t/{thread_id}").get_data(as_text=True)
        assert f'action="/t/{thread_id}/reply"' in page
        assert f'data-draft="reply:{thread_id}"' in page and f'data-thread="{thread_id}"' in page
        assert f"reply:{other}" not in page and 'data-testid="submit-reply"' in page
    refused = client.post(f"/t/{ids[0]}/reply", data={"body": "long " * 10_001, "submit_token": "t"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "long long long" in page and "Keep it under" in page
    assert "long long" not in client.get(f"/t/{ids[0]}").get_data(as_text=True)
