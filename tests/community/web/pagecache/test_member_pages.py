"""Signed-in fans share stored pages too, one copy per role, with their own bits filled
in per response (community/web/pagecache/serving.py, community/web/pagecache/holes.py).

What must never happen: a fan sees another fan's name, votes, likes, follows or edit
links, or a fan's copy shows staff tools. What must happen: the second fan of a role
gets the stored page with a handful of small queries, and every write still shows.
"""

import re
from datetime import timedelta

import pytest
from flask import g
from helpers import PASSWORD, build_app, make_board, make_thread, make_user, unfilled_marks
from markupsafe import Markup
from querycount import counting

from community.accounts import follows
from community.forum import service as forum
from community.ideas import service as ideas
from community.kernel import database
from community.kernel.extensions import db
from community.rounds import service as rounds
from community.web.pagecache import holes, markers


@pytest.fixture
def world(app):
    with app.app_context():
        board = make_board(slug="talk", name="Talk")
        lin, mei = make_user("lin"), make_user("mei")
        make_user("boss", role="staff")
        idea = ideas.propose(board, lin, "Longer battery", "Please make it last.")
        ideas.vote(idea.id, mei)
        thread = make_thread(board, lin, title="Battery life on the go")
        reply = forum.reply(thread, mei, "Mine lasts a day.")
        forum.set_like(reply, lin, True)
        follows.follow(mei, "board", board.id)
        return {"board": board.slug, "board_id": board.id, "idea": idea.id,
                "thread": thread.id, "reply": reply.id}


def _signed_in(app, name):
    client = app.test_client()
    assert client.post("/login", data={"login": name, "password": PASSWORD}).status_code == 302
    return client


def _cached(response):
    return response.headers.get("X-Page-Cache")


def _html(response):
    return response.get_data(as_text=True)


def _me(html):
    return re.search(r'class="me">([^<]+)</a>', html).group(1)


def _vote_pressed(html, idea_id):
    box = re.search(rf'data-idea="{idea_id}".*?aria-pressed="(\w+)"', html, re.S)
    return box.group(1) == "true"


def test_the_second_fan_gets_the_stored_page_with_their_own_header(app, world):
    lin, mei = _signed_in(app, "lin"), _signed_in(app, "mei")
    first = lin.get("/ideas")
    assert first.status_code == 200 and _cached(first) == "miss"
    with counting(app) as statements:
        second = mei.get("/ideas")
    assert _cached(second) == "hit"
    # The reader with the header's figures, their votes and their unread markers
    # (community/reading): not the list or its ideas.
    assert len([s for s in statements if s != "BEGIN"]) <= 3, statements
    assert (_me(_html(first)), _me(_html(second))) == ("lin", "mei")
    assert unfilled_marks(app, _html(second)) == []
    # The reader and the header's figures come in one statement (community/viewer/readers.py).
    assert sum("FROM users" in sql and "FROM notifications" in sql for sql in statements) == 1


def test_a_banned_or_signed_out_elsewhere_fan_is_not_served_as_themselves(app, world):
    lin, mei = _signed_in(app, "lin"), _signed_in(app, "mei")
    assert _cached(lin.get("/ideas")) == "miss"
    with app.app_context():
        _user("mei").auth_version += 1  # a password change on another device
        _user("lin").banned_at = database.utcnow()
        db.session.commit()
    for client in (lin, mei):
        page = client.get("/ideas")
        assert page.status_code == 200 and 'class="me">' not in _html(page)


def test_a_light_reader_holds_the_row_and_loads_the_rest_on_demand(app, world):
    from community.accounts.models import User
    from community.viewer import readers

    # Not a page members share, where the loader gives a Reader unasked (test_readers.py).
    with app.test_request_context("/settings"):
        account = _user("mei")
        session_id = account.get_id()
        g.light_reader = True
        with counting(app) as statements:
            reader = readers.load_user(session_id)
            assert (reader.username, reader.role, reader.is_staff) == ("mei", "fan", False)
        assert len(statements) == 1
        # Unwatched, the row comes straight from the driver: its moments are still datetimes.
        unwatched = readers.load_user(session_id)
        assert unwatched.email_verified_at == account.email_verified_at is not None
        assert unwatched.banned_at is None and not unwatched.is_banned
        assert reader.email == account.email  # not in the row: the full account, once
        assert reader.account is reader.account and reader.get_id() == session_id
        g.light_reader = False
        assert isinstance(readers.load_user(session_id), User)
        assert readers.load_user(f"{account.id}.99") is None
        assert readers.load_user("not-a-session") is None


def test_each_fan_sees_their_own_votes_on_a_shared_page(app, world):
    lin, mei = _signed_in(app, "lin"), _signed_in(app, "mei")
    for path in ("/ideas", f"/ideas/{world['idea']}"):
        mine, theirs = lin.get(path), mei.get(path)
        assert (_cached(mine), _cached(theirs)) == ("miss", "hit")
        assert not _vote_pressed(_html(mine), world["idea"])
        assert _vote_pressed(_html(theirs), world["idea"])
    # Lin votes: a visible write, so the next page is new and shows both votes.
    lin.post(f"/ideas/{world['idea']}/vote")
    again = lin.get(f"/ideas/{world['idea']}")
    assert _cached(again) == "miss" and _vote_pressed(_html(again), world["idea"])
    assert re.search(r'data-testid="vote-count"[^>]*>\s*2\b', _html(again))


def test_hits_read_on_a_connection_of_their_own_and_give_it_back(app, world):
    """A hit reads its reader and their facts outside the session's transaction, on a
    pooled connection that goes back at the end of each request; a vote in between
    still shows on the next hit."""
    lin, mei = _signed_in(app, "lin"), _signed_in(app, "mei")
    path = f"/ideas/{world['idea']}"
    assert _cached(lin.get(path)) == "miss"
    with app.app_context():
        pool = db.engine.pool
    for _ in range(5):
        page = mei.get(path)
        assert _cached(page) == "hit" and _vote_pressed(_html(page), world["idea"])
        assert pool.checkedout() == 0
    assert mei.post(f"/ideas/{world['idea']}/vote", data={"vote": "0"}).status_code < 400
    assert _cached(lin.get(path)) == "miss"
    page = mei.get(path)
    assert _cached(page) == "hit" and not _vote_pressed(_html(page), world["idea"])
    assert pool.checkedout() == 0


def test_likes_and_edit_links_belong_to_whoever_looks(app, world):
    lin, mei = _signed_in(app, "lin"), _signed_in(app, "mei")
    path = f"/t/{world['thread']}"
    as_lin, as_mei = _html(lin.get(path)), _html(mei.get(path))
    reply = f'id="post-{world["reply"]}"'

    def post_of(html):
        start = html.index(reply)
        return html[start:html.index("</article>", start)]

    assert 'class="link like on"' in post_of(as_lin)
    assert 'class="link like on"' not in post_of(as_mei)
    # Mei wrote the reply, Lin the opening post: each sees Edit on their own only.
    assert "/edit" in post_of(as_mei) and "/edit" not in post_of(as_lin)
    assert as_lin.count("/edit") == as_mei.count("/edit") == 1


def test_follow_buttons_follow_the_viewer(app, world):
    lin, mei = _signed_in(app, "lin"), _signed_in(app, "mei")
    path = f"/b/{world['board']}"
    as_lin, as_mei = lin.get(path), mei.get(path)
    assert (_cached(as_lin), _cached(as_mei)) == ("miss", "hit")
    pressed = r'data-testid="follow-button"\s+aria-pressed="(\w+)"'
    assert re.search(pressed, _html(as_lin)).group(1) == "false"
    assert re.search(pressed, _html(as_mei)).group(1) == "true"


def test_staff_and_fans_never_share_a_copy(app, world):
    boss, lin = _signed_in(app, "boss"), _signed_in(app, "lin")
    path = f"/t/{world['thread']}"
    staff_page, fan_page = boss.get(path), lin.get(path)
    assert (_cached(staff_page), _cached(fan_page)) == ("miss", "miss")
    assert 'data-testid="thread-moderation"' in _html(staff_page)
    assert 'data-testid="thread-moderation"' not in _html(fan_page)
    assert _cached(_signed_in(app, "mei").get(path)) == "hit"


def _user(name):
    from community.accounts.models import User

    return db.session.query(User).filter_by(username=name).one()


def test_an_idea_in_a_live_round_is_shared_with_each_fans_votes_left(app, world):
    # The reader's votes left are a hole: the page is stored once for fans.
    with app.app_context():
        now = database.utcnow()
        live = rounds.create_round(make_board(slug="round-board"), _user("boss"), "Spring round",
                                   "Which first?", now - timedelta(hours=1),
                                   now + timedelta(days=2), vote_budget=3)
        idea = ideas.propose(live.board, _user("lin"), "Solar cover", "Sun.", round_id=live.id)
        other = ideas.propose(live.board, _user("lin"), "Sun shade", "Shade.", round_id=live.id)
        idea_id = idea.id
        ideas.vote(other.id, _user("mei"))
    lin, mei = _signed_in(app, "lin"), _signed_in(app, "mei")
    first, second = lin.get(f"/ideas/{idea_id}"), mei.get(f"/ideas/{idea_id}")
    assert (_cached(first), _cached(second)) == ("miss", "hit")
    assert "Votes left in this round: 3" in _html(first)
    assert "Votes left in this round: 2" in _html(second)
    assert "Votes left" not in _html(app.test_client().get(f"/ideas/{idea_id}"))


def test_replies_from_a_stored_page_each_land(tmp_path):
    """Each response gets its own once-only token: two replies typed on two loads of the
    same stored page are two posts, not one deduplicated (CSRF on, as in production)."""
    app = build_app(f"sqlite:///{tmp_path}/once.sqlite3", tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
        make_user("lin")
        make_user("mei")
        path = f"/t/{make_thread(title='Stored reply forms').id}"
    lin, mei = app.test_client(), app.test_client()
    for client, name in ((lin, "lin"), (mei, "mei")):
        login = _html(client.get("/login"))
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login).group(1)
        client.post("/login", data={"login": name, "password": PASSWORD, "csrf_token": token})
    assert _cached(mei.get(path)) == "miss"
    for body in ("First thought", "Second thought"):
        page = lin.get(path)
        assert _cached(page) == "hit"
        form = _html(page)
        reply_form = form[form.index('id="reply"'):]
        fields = dict(re.findall(r'name="(csrf_token|submit_token)"[^>]*value="([^"]+)"',
                                 reply_form))
        assert unfilled_marks(app, form) == []
        answer = lin.post(f"{path}/reply", data={**fields, "body": body})
        assert answer.status_code == 302, _html(answer)
        mei.get(path)  # the reply made a new generation: store the next page again
    shown = _html(lin.get(path))
    assert "First thought" in shown and "Second thought" in shown


def test_holes_are_filled_for_the_given_viewer(app):
    seen = []

    def even(user, args):
        seen.append(sorted(args))
        return {a for a in args if int(a) % 2 == 0}

    holes.register_predicate("test_even", even)
    holes.register_renderer("test_name", lambda user, args: {"": f"<b>{user}</b>"})
    with app.test_request_context():
        body = Markup("").join(
            holes.per_user_if("test_even", n, caller=lambda on, n=n: f"{n}{'+' if on else '-'}")
            for n in (1, 2, 3, 4)) + holes.per_user("test_name")
        filled = holes.fill(str(body).encode(), "ann").decode()
    assert filled == "1-2+3-4+<b>ann</b>"
    assert seen == [["1", "2", "3", "4"]]  # one call for every hole of its kind
    # What is not a whole, known marker is left as it is, and so is a marker without this
    # app's nonce (what a reader could write).
    opening = markers.markers(app).opening
    broken = [text.replace("<!--ff:", opening) for text in (
        "<!--ff:r:test_name", "<!--ff:r:nobody:-->", "<!--ff:if:test_even:2-->x",
        "<!--ff:r:test_name:a b-->", "a <!--ff:else--> b <!--ff:end-->")]
    forged = ["<!--ff:r:test_name:-->", "<!--ffabc:r:test_name:-->"]
    with app.app_context():
        for text in broken + forged:
            assert holes.fill(text.encode(), "ann").decode() == text
    with app.test_request_context(), pytest.raises(ValueError):
        holes.per_user("test_name", "a b")
    with app.test_request_context(), pytest.raises(ValueError):  # holes do not nest
        holes.per_user_if("test_even", 2, caller=lambda on: holes.per_user("test_name"))


@pytest.fixture
def store(app):
    from helpers import make_campaign, make_product

    from products.catalog import polls
    from products.orders import service as orders

    with app.app_context():
        lin, mei = make_user("lin"), make_user("mei")
        make_user("kai")
        staff = make_user("boss", role="staff")
        product = make_product(staff=staff, slug="fan-cooler", cocreators=[lin])
        campaign = make_campaign(product=product, staff=staff)
        orders.place_order(campaign.id, mei, campaign.tiers[0].id, 2, "mei-first")
        poll = polls.create_poll(product, staff, "Which colour?", ["Black", "White"],
                                 database.utcnow() + timedelta(days=3))
        polls.vote(poll, lin, poll.options[0].id)
        return {"path": f"/products/{product.slug}", "campaign": campaign.id}


def test_a_product_page_is_shared_with_each_fans_widget_join_button_and_poll(app, store):
    lin, mei = _signed_in(app, "lin"), _signed_in(app, "mei")
    as_lin, as_mei = lin.get(store["path"]), mei.get(store["path"])
    assert (_cached(as_lin), _cached(as_mei)) == ("miss", "hit")
    lin_html, mei_html = _html(as_lin), _html(as_mei)
    # Lin co-creates: the badge, and a poll vote already given; Mei may join and holds 2.
    assert 'data-testid="cocreator-badge"' in lin_html
    assert 'data-testid="join-product"' not in lin_html
    assert 'data-testid="join-product"' in mei_html
    assert 'data-testid="cocreator-badge"' not in mei_html
    assert 'data-testid="poll-voted"' in lin_html and 'data-testid="poll-voted"' not in mei_html
    assert re.search(r'href="/me/preorders">[^<]*</a> \(2\)', mei_html)
    assert 'href="/me/preorders">' not in lin_html
    # Each share link carries its reader's own referral code.
    codes = [re.search(r'value="[^"]*ref=([\w-]+)"[^>]*data-testid="share-link"', html).group(1)
             for html in (lin_html, mei_html)]
    assert codes[0] != codes[1]


def test_the_account_corner_follows_the_reader_the_page_and_their_state(app, world):
    lin = _signed_in(app, "lin")

    def corner(path):
        html = _html(lin.get(path))
        return html[html.index('class="account-nav"'):html.index("</header>")]

    ideas_page = corner("/ideas?sort=new")
    assert 'name="next" value="/ideas?sort=new"' in ideas_page
    assert 'data-testid="checkin"' in ideas_page
    bell = _bell(ideas_page)  # Mei's reply in the world already rang it
    board_page = corner(f"/b/{world['board']}")
    assert f'name="next" value="/b/{world["board"]}"' in board_page
    assert unfilled_marks(app, board_page) == []
    # Checking in and a new notification (Mei replies to Lin's thread) show at once.
    lin.post("/checkin", data={"next": "/ideas"})
    with app.app_context():
        forum.reply(forum.get_thread(world["thread"], None), _user("mei"), "Same here.")
    after = corner("/ideas?sort=new")
    assert 'data-testid="checkin"' not in after
    assert _bell(after) == bell + 1
    assert _me(after) == "lin"


def _bell(html):
    found = re.search(r'data-testid="bell-count">(\d+)<', html)
    return int(found.group(1)) if found else 0


def test_a_participation_thread_is_shared_with_each_fans_join_button_and_widget(app, store):
    from products.catalog.models import Product

    with app.app_context():
        thread_id = db.session.query(Product).filter_by(slug="fan-cooler").one().thread_id
    lin, mei = _signed_in(app, "lin"), _signed_in(app, "mei")
    path = f"/t/{thread_id}"
    as_lin, as_mei = lin.get(path), mei.get(path)
    assert (_cached(as_lin), _cached(as_mei)) == ("miss", "hit")
    lin_html, mei_html = _html(as_lin), _html(as_mei)
    for html in (lin_html, mei_html):
        assert 'data-testid="thread-product"' in html and 'data-testid="campaign-widget"' in html
    assert 'data-testid="cocreator-badge"' in lin_html
    assert 'data-testid="join-product"' in mei_html and 'data-testid="cocreator-badge"' not in mei_html
    assert re.search(r'href="/me/preorders">[^<]*</a> \(2\)', mei_html)
    assert 'href="/me/preorders">' not in lin_html


def test_a_kept_widget_and_poll_are_each_readers_own(app, store):
    """Holes drawn once for every reader with the same facts (holes.remember): readers
    with other facts get their own, and the tokens and codes in them stay per response."""
    from products.orders.referrals import code_for

    fans = {name: _signed_in(app, name) for name in ("kai", "mei", "lin", "boss")}
    pages = {name: _html(client.get(store["path"])) for name, client in fans.items()}
    with counting(app) as statements:
        again = {name: _html(fans[name].get(store["path"])) for name in ("kai", "mei")}
    # Each reload: the reader, then one statement per hole kind (the header's, the
    # widget's, the poll's, "Notify me" and the backer updates); nothing loaded to draw.
    assert len([sql for sql in statements if sql != "BEGIN"]) <= 16, statements
    assert not [sql for sql in statements if sql.startswith(("SELECT campaigns.", "SELECT polls."))]
    with app.app_context():
        codes = {name: code_for(_user(name).id) for name in fans}
    keys = []
    for name, html in [*pages.items(), *(("again " + n, h) for n, h in again.items())]:
        assert unfilled_marks(app, html) == [], name
        keys += re.findall(r'name="idempotency_key" value="([\w-]+)"', html)
        shares = re.findall(r'ref=([\w-]+)"[^>]*data-testid="share-link"', html)
        assert shares == [codes[name.removeprefix("again ")]], name
    assert len(keys) == len(set(keys)) == 6  # every form its own key, Mei's too
    assert re.search(r'href="/me/preorders">[^<]*</a> \(2\)', again["mei"])
    assert 'href="/me/preorders">' not in again["kai"]
    assert 'data-testid="poll-voted"' in pages["lin"]
    assert not [n for n in ("kai", "mei") if 'data-testid="poll-voted"' in again[n]]
    # The campaign's own page (rendered, not shared) fills the same hole.
    campaign_page = _html(fans["kai"].get(f"/campaigns/{store['campaign']}"))
    assert re.findall(r'ref=([\w-]+)"[^>]*data-testid="share-link"', campaign_page) == [
        codes["kai"]]
    # Staff see results of an open poll all along; fans do not.
    assert 'data-testid="poll-results"' in pages["boss"]
    assert 'data-testid="poll-results"' not in pages["kai"]
