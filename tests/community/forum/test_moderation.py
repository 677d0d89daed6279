import pytest
from helpers import make_thread, make_user
from sqlalchemy import func, select

from community.accounts import service as accounts
from community.forum import boards as board_service
from community.forum import moderation, service
from community.forum.models import ModerationAction
from community.kernel.errors import Forbidden, ValidationError
from community.kernel.extensions import db
from community.moderation import service as sanctions_service


@pytest.fixture
def setup(app):
    with app.app_context():
        make_user("lilei")
        make_user("mod", role="staff")
        make_user("boss", role="admin")
        thread = make_thread(title="Spammy")
        reply = service.reply(thread, accounts.get_by_username("lilei"), "buy now")
        return {"thread": thread.id, "post": reply.id}


STAFF_POSTS = [
    "/mod/threads/{thread}/pin", "/mod/threads/{thread}/lock", "/mod/threads/{thread}/hide",
    "/mod/posts/{post}/hide", "/mod/users/lilei/ban",
]
STAFF_GETS = ["/mod/log", "/admin/boards"]


def test_fans_and_visitors_cannot_moderate(app, client, auth, setup):
    # A visitor is sent to sign in, a fan refused; both on one setup: nothing they ask is done.
    for who, refused in ((None, 302), ("lilei", 403)):
        if who:
            auth.login(who)
        for path in STAFF_POSTS:
            response = client.post(path.format(**setup), data={"reason": "x"})
            assert response.status_code == refused, (who, path)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ModerationAction)) == 0


@pytest.mark.parametrize("path", STAFF_GETS)
def test_staff_pages_are_closed_to_fans(client, auth, setup, path):
    auth.login("lilei")
    assert client.get(path).status_code == 403


def test_admin_boards_are_closed_to_staff(client, auth, setup):
    auth.login("mod")
    assert client.get("/admin/boards").status_code == 403
    assert client.get("/mod/log").status_code == 200


def test_moderation_is_logged_and_listed(app, client, auth, setup):
    auth.login("mod")
    for action in ("pin", "lock", "hide"):
        response = client.post(f"/mod/threads/{setup['thread']}/{action}", data={"reason": f"why {action}"})
        assert response.status_code == 302
    client.post(f"/mod/posts/{setup['post']}/hide", data={"reason": "advert"})
    client.post("/mod/users/lilei/ban", data={"reason": "spammer"})
    log = client.get("/mod/log").get_data(as_text=True)
    for expected in ("why pin", "why lock", "why hide", "advert", "spammer", "mod"):
        assert expected in log
    with app.app_context():
        rows = ModerationAction.query.order_by(ModerationAction.id).all()
        assert [(r.action, r.target_type) for r in rows] == [
            ("pin", "thread"), ("lock", "thread"), ("hide", "thread"), ("hide", "post"), ("ban", "user")]
        assert all(r.actor.username == "mod" for r in rows)


def test_hidden_content_is_marked_for_staff_and_gone_for_fans(app, client, auth, setup):
    auth.login("mod")
    client.post(f"/mod/posts/{setup['post']}/hide", data={"reason": "advert"})
    page = client.get(f"/t/{setup['thread']}").get_data(as_text=True)
    assert "buy now" in page and "Hidden by staff" in page
    auth.logout()
    auth.login("lilei")
    page = client.get(f"/t/{setup['thread']}").get_data(as_text=True)
    assert "buy now" not in page


def test_ban_rules(ctx):
    fan, staff, admin = make_user(), make_user(role="staff"), make_user(role="admin")
    other_staff = make_user(role="staff")
    with pytest.raises(ValidationError):
        sanctions_service.ban_user(fan, staff, "   ")
    with pytest.raises(Forbidden):
        sanctions_service.ban_user(staff, staff, "me")
    with pytest.raises(Forbidden):
        sanctions_service.ban_user(other_staff, staff, "rival")
    sanctions_service.ban_user(other_staff, admin, "admins may")
    sanctions_service.ban_user(fan, staff, "spam")
    assert fan.is_banned
    sanctions_service.unban_user(fan, staff, "appeal")
    assert not fan.is_banned


def test_hiding_a_thread_updates_the_board_count(ctx):
    staff = make_user(role="staff")
    thread = make_thread()
    board = thread.board
    moderation.set_thread_hidden(thread, staff, True)
    moderation.set_thread_hidden(thread, staff, True)  # twice: counted once
    assert board_service.get_board(board.slug).thread_count == 0
    moderation.set_thread_hidden(thread, staff, False)
    assert board_service.get_board(board.slug).thread_count == 1


def test_admin_creates_orders_and_edits_boards(app, client, auth, setup):
    auth.login("boss")
    response = client.post("/admin/boards", data={"name": "Phones 手机", "slug": "phone",
                                                  "description": "Cameras"})
    assert response.status_code == 302
    response = client.post("/admin/boards", data={"name": "Dup", "slug": "phone"})
    assert response.status_code == 422 and "slug exists" in response.get_data(as_text=True)
    client.post("/admin/boards/phone/move", data={"direction": "up"})
    with app.app_context():
        assert board_service.list_boards()[0].slug == "phone"
    client.post("/admin/boards/phone/edit", data={"name": "Phones", "slug": "phones",
                                                  "description": "All phones"})
    assert "All phones" in client.get("/").get_data(as_text=True)
