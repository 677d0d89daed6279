"""Slugs made from names (pinyin for Chinese), unique and race-safe; and the staff's idea
picker, which finds ideas by title or number and refuses everyone else."""

import pytest
from helpers import make_board, make_user

from community.circles import service as circles
from community.forum import boards
from community.forum.models import Board
from community.ideas import service as ideas
from community.kernel import slugs
from community.kernel.errors import ValidationError
from products.catalog import promotion


def test_a_name_reads_as_a_slug():
    assert slugs.from_name("小米手环 9") == "xiao-mi-shou-huan-9"
    assert slugs.from_name("Redmi K80 至尊版") == "redmi-k80-zhi-zun-ban"
    assert slugs.from_name("Café Noir!") == "cafe-noir"
    assert slugs.from_name("🎉") == ""
    assert len(slugs.from_name("手环" * 60)) <= 64


def test_boards_circles_and_products_get_a_free_slug_from_their_name(app, ctx):
    first = boards.create_board("小米手环 9", "", "")
    second = boards.create_board("小米手环 9", "", "")
    third = boards.create_board("小米手环 9", "   ", "")
    assert [first.slug, second.slug, third.slug] == [
        "xiao-mi-shou-huan-9", "xiao-mi-shou-huan-9-2", "xiao-mi-shou-huan-9-3"]
    # A slug typed by hand is kept, and taken it is an error to fix, not a silent suffix.
    assert boards.create_board("Bands", "my-bands", "").slug == "my-bands"
    with pytest.raises(ValidationError) as taken:
        boards.create_board("Other", "my-bands", "")
    assert taken.value.field == "slug"
    with pytest.raises(ValidationError) as nothing:
        boards.create_board("🎉", "", "")
    assert nothing.value.code == "slug_needed"

    owner = make_user("lilei", role="staff")
    assert circles.create_circle(owner, "重庆同城会", "", "", "city", "重庆").slug == "chong-qing-tong-cheng-hui"
    assert circles.create_circle(owner, "New", "").slug == "new-2"  # /circles/new is a page

    board = make_board()
    idea = ideas.propose(board, make_user(), "A strap that glows", "In the dark.")
    product = promotion.promote(owner, [idea.id], "小米手环 9", "", "A band.")
    assert product.slug == "xiao-mi-shou-huan-9"


def test_a_slug_taken_between_the_look_and_the_write_goes_to_the_next_one(app, ctx, monkeypatch):
    boards.create_board("小米手环 9", "", "")
    looked = []
    real = slugs.first_free

    def stale(column, base, *args, **kwargs):
        # The first look is stale: another board took its answer before the insert.
        looked.append(base)
        return base if len(looked) == 1 else real(column, base, *args, **kwargs)

    monkeypatch.setattr(slugs, "first_free", stale)
    assert boards.create_board("小米手环 9", "", "").slug == "xiao-mi-shou-huan-9-2"
    assert len(looked) == 2
    assert ctx is not None and Board.query.filter_by(slug="xiao-mi-shou-huan-9").count() == 1


def test_the_admin_form_makes_the_slug_and_staff_see_it_previewed(app, client, auth):
    with app.app_context():
        make_user("root", role="admin")
    auth.login("root")
    page = client.get("/admin/boards").get_data(as_text=True)
    assert 'data-slug-from="name"' in page and "js/staff.js" in page
    response = client.post("/admin/boards", data={"name": "小米手环 9", "slug": "", "description": ""})
    assert response.status_code == 302
    assert client.get("/b/xiao-mi-shou-huan-9").status_code == 200
    assert client.get("/slugs/preview?name=小米手环 9").get_json() == {"slug": "xiao-mi-shou-huan-9"}


def test_the_idea_picker_finds_ideas_by_title_for_staff_only(app, client, auth):
    with app.app_context():
        make_user("boss", role="staff")
        make_user("lilei")
        board = make_board()
        author = make_user()
        glow = ideas.propose(board, author, "A strap that glows in the dark", "Please.")
        ideas.propose(board, author, "Longer battery", "Please.")
        glow_id = glow.id
    assert client.get("/staff/ideas/pick?q=glow").status_code == 302  # sign in first
    auth.login("lilei")
    assert client.get("/staff/ideas/pick?q=glow").status_code == 403
    auth.logout()
    auth.login("boss")
    found = client.get("/staff/ideas/pick?q=GLOWS in").get_json()["items"]
    assert [(i["id"], i["title"]) for i in found] == [(glow_id, "A strap that glows in the dark")]
    assert [i["id"] for i in client.get(f"/staff/ideas/pick?q=%23{glow_id}").get_json()["items"]] == [glow_id]
    assert client.get("/staff/ideas/pick?q=100%25").get_json()["items"] == []
    page = client.get(f"/ideas/{glow_id}").get_data(as_text=True)
    assert 'data-testid="idea-picker"' in page and 'data-picker-for="target"' in page
