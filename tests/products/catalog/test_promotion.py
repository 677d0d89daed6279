import pytest
from catalog_factories import make_idea, make_product, statements
from helpers import make_board, make_user
from sqlalchemy import func, select

from community.forum import boards as board_service
from community.forum import moderation
from community.forum import service as forum
from community.forum.models import Post, Thread
from community.ideas import statuses
from community.kernel.errors import Conflict, Forbidden, ValidationError
from community.kernel.extensions import db
from products.catalog import catalog, promotion
from products.catalog.models import CoCreator, Product, ProductIdea, StageChange


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_promotion_links_ideas_credits_proposers_and_opens_a_listed_thread(ctx):
    board, staff = make_board(), make_user(role="staff")
    lilei, hanmeimei = make_user("lilei"), make_user("hanmeimei")
    a = make_idea(board, lilei, "Two-week battery", votes=60)
    b = make_idea(board, lilei, "Solar charging [beta]", votes=7)
    c = make_idea(board, hanmeimei, "Swim tracking", votes=12)
    product = promotion.promote(staff, [a.id, b.id, c.id, a.id], "Band 9 Pro", "band-9-pro",
                                "The band you asked for.", "Made **with** you.")
    assert (product.stage, product.board_id, product.cocreator_count) == ("concept", board.id, 2)
    assert "<strong>with</strong>" in product.description_html
    assert [i.id for i in catalog.origin_ideas(product.id)] == [a.id, c.id, b.id]
    cocreators = db.session.scalars(select(CoCreator).where(CoCreator.product_id == product.id)).all()
    assert {(c.user_id, c.source) for c in cocreators} == {(lilei.id, "proposer"),
                                                           (hanmeimei.id, "proposer")}
    thread = db.session.get(Thread, product.thread_id)
    assert (thread.kind, thread.listed, thread.board_id, thread.title) == (
        "product", True, board.id, "Band 9 Pro")
    assert board_service.get_board(board.slug).thread_count == 1
    assert thread.id in [t.id for t in forum.board_threads(board, None, 20).items]
    opening = forum.first_post(thread)
    assert f'href="/ideas/{a.id}"' in opening.body_html and "60 votes" in opening.body_html
    assert "Solar charging [beta]" in opening.body_html  # brackets stay literal in the link
    assert [(s.from_stage, s.to_stage) for s in catalog.timeline(product.id)] == [(None, "concept")]
    assert catalog.products_for_ideas([a.id, b.id])[a.id].id == product.id
    assert catalog.product_for_thread(thread.id).id == product.id


BAD_PROMOTIONS = [
    ({"name": ""}, "name"), ({"name": "x" * 101}, "name"),
    ({"slug": "Band-9"}, "slug"), ({"slug": "band 9"}, "slug"), ({"slug": "-band"}, "slug"),
    ({"slug": "x" * 65}, "slug"), ({"slug": "ready"}, "slug"), ({"slug": "taken"}, "slug"),
    ({"summary": " "}, "summary"), ({"summary": "x" * 301}, "summary"),
    ({"description": "x" * 50_001}, "description"),
    ({"ideas": []}, "ideas"), ({"ideas": ["abc"]}, "ideas"), ({"ideas": [99999]}, "ideas"),
    ({"ideas": "other-board"}, "ideas"), ({"ideas": "merged"}, "ideas"),
    ({"ideas": "promoted"}, "ideas"), ({"board_id": "other"}, "board")]


def test_bad_promotions_write_nothing(ctx):
    board, staff = make_board(), make_user(role="staff")
    idea, other = make_idea(board), make_idea(make_board())
    taken = make_product([make_idea(board)], staff, slug="taken")
    merged = make_idea(board)
    statuses.merge(merged.id, idea.id, staff)
    before = {model: _count(model) for model in (Product, ProductIdea, CoCreator, StageChange,
                                                 Thread, Post)}
    for changes, field in BAD_PROMOTIONS:  # one world for all: each is refused whole
        args = {"name": "Band 9", "slug": "band-9", "summary": "Yes.", "description": "",
                "ideas": [idea.id], "board_id": None}
        args.update(changes)
        if isinstance(args["ideas"], str):
            args["ideas"] = {"other-board": [idea.id, other.id], "merged": [idea.id, merged.id],
                             "promoted": [idea.id, taken_idea_id(taken)]}[args["ideas"]]
        if args["board_id"] == "other":
            args["board_id"] = other.board_id
        with pytest.raises((ValidationError, Conflict)) as caught:
            promotion.promote(staff, args.pop("ideas"), **args)
        assert caught.value.field == field, changes
        assert {model: _count(model) for model in before} == before, changes


def taken_idea_id(product):
    return catalog.origin_ideas(product.id)[0].id


def test_only_staff_promote(ctx):
    with pytest.raises(Forbidden):
        make_product(staff=make_user())
    assert _count(Product) == 0


def test_an_idea_grows_into_one_product_at_most(ctx):
    idea = make_idea()
    make_product([idea])
    with pytest.raises(Conflict) as caught:
        make_product([idea])
    assert caught.value.code == "already_promoted"
    # The schema says so too, whatever a racing promotion checked.
    assert any(ix.unique and [c.name for c in ix.columns] == ["idea_id"]
               for ix in ProductIdea.__table__.indexes)


def test_thresholds_default_to_fifty_and_staff_set_them(ctx):
    board, staff = make_board(), make_user(role="staff")
    assert promotion.threshold_of(board.id) == 50
    assert promotion.set_threshold(board, staff, 3) == 3
    assert promotion.set_threshold(board, staff, "7") == 7
    assert promotion.thresholds([board.id]) == {board.id: 7}
    for bad in (0, -1, "x", None, 1_000_001):
        with pytest.raises(ValidationError):
            promotion.set_threshold(board, staff, bad)
    with pytest.raises(Forbidden):
        promotion.set_threshold(board, make_user(), 10)
    assert promotion.threshold_of(board.id) == 7


def test_ready_for_review_lists_ideas_at_or_past_their_threshold(ctx, app):
    staff = make_user(role="staff")
    low, default = make_board(), make_board()
    promotion.set_threshold(low, staff, 5)
    at = make_idea(low, votes=5)
    past = make_idea(low, votes=9)
    make_idea(low, votes=4)  # below
    declined = make_idea(low, votes=30)
    statuses.change_status(declined.id, staff, "declined", "No.")
    promoted = make_idea(low, votes=40)
    make_product([promoted], staff)
    hidden = make_idea(low, votes=30)
    moderation.set_thread_hidden(hidden.thread, staff, True, "spam")
    big = make_idea(default, votes=50)
    make_idea(default, votes=49)
    with statements() as seen:
        ready = promotion.ready_for_review()
    assert len(seen) == 1
    assert [i.id for i in ready] == [big.id, past.id, at.id]
    assert [i.id for i in promotion.ready_for_review(low.id)] == [past.id, at.id]
