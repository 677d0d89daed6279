"""Issue 21's must-hold: every stored page a reader gets equals what a fresh render would
show them (community/web/pagecache/serving.py).

For each kind of write, by someone other than the reader and through its real endpoint:
every page a visitor's copy is stored of is read as a visitor and as a signed-in fan (and
as staff, where staff see more) and stored; the write is done; every page is read again
from the app that stores pages and compared with the same page rendered for the same
reader by an app that stores nothing (same database, same session). Only what differs
per response by design is left out (freshness_world.normalised). PAGE_CACHE_LIVE_SECONDS
is 0: no figure may lag.

Whatever invalidation the cache uses (a generation per visible write today, keys per
table or row read later), a page it forgets to drop fails here, named with the write:
with serving._after_commit doing nothing every write kind fails, and with the RSVP and
poll tables counted private only the meetup RSVP and the poll vote do.
"""

import difflib
import uuid
from urllib.parse import urlsplit

import pytest
from freshness_world import AUTHOR, MEMBER, STAFF, WRITER, Site, forget_drawn, normalised

from community.kernel.database import utcnow

WRITES = {}


def write(name, shows_on):
    """A kind of write, and pages its fresh render must change (so it cannot do nothing
    and pass)."""
    def register(do):
        WRITES[name] = (do, shows_on)
        return do
    return register


@write("vote", shows_on={"ideas hot", "board ideas"})
def _vote(site, w):
    site.post(WRITER, f"/ideas/{w['solar']}/vote")


@write("unvote", shows_on={"idea", "idea voters"})
def _unvote(site, w):
    site.post(WRITER, f"/ideas/{w['longer']}/vote", vote="0")


@write("reply", shows_on={"thread", "writer replies"})
def _reply(site, w):
    site.post(WRITER, f"/t/{w['thread']}/reply", body="Charging at 65 W would do it.",
              submit_token=uuid.uuid4().hex)


@write("edit a post", shows_on={"thread", "board", "author profile"})
def _edit(site, w):
    site.post(AUTHOR, f"/p/{w['opening']}/edit", title="Battery life on long rides",
              body="How long does your battery last on a long ride?")


@write("like", shows_on={"thread"})
def _like(site, w):
    site.post(WRITER, f"/p/{w['mei_reply']}/like")


@write("hide a post (staff)", shows_on={"thread", "writer replies"})
def _hide(site, w):
    site.post(STAFF, f"/mod/posts/{w['kai_reply']}/hide", reason="Off topic")


@write("idea status (staff)", shows_on={"idea", "shipped", "roadmap"})
def _status(site, w):
    site.post(STAFF, f"/ideas/{w['longer']}/status", status="shipped",
              response="In the new model.")


@write("release note (staff)", shows_on={"releases", "shipped", "roadmap", "author profile",
                                         "releases feed"})
def _release_note(site, w):
    site.post(STAFF, "/releases/new", title="Longer battery ships",
              ideas=str(w["longer"]), body="Two days on one charge.")


@write("new idea", shows_on={"ideas new", "board ideas", "new ideas feed"})
def _new_idea(site, w):
    site.post(WRITER, "/b/talk/ideas/new", title="Quieter fan", body="It hums at night.",
              post_anyway="1", round_id="0", submit_token=uuid.uuid4().hex)


@write("pre-order", shows_on={"campaign", "product"})
def _preorder(site, w):
    site.post(WRITER, f"/campaigns/{w['campaign']}/preorder", tier=str(w["tier"]),
              quantity="2", idempotency_key=uuid.uuid4().hex, source_kind="product",
              source_id=str(w["product_id"]))


@write("poll vote", shows_on={"product"})
def _poll_vote(site, w):
    site.post(WRITER, f"/products/{w['product']}/polls/{w['poll']}/vote",
              option=str(w["poll_option"]))


@write("circle join", shows_on={"circles", "circle members"})
def _join(site, w):
    site.post(WRITER, f"/circles/{w['circle']}/join")


@write("circle leave", shows_on={"circles", "circle members"})
def _leave(site, w):
    site.post(MEMBER, f"/circles/{w['circle']}/leave")


@write("circle role (owner)", shows_on={"circle members"})
def _circle_role(site, w):
    site.post(AUTHOR, f"/circles/{w['circle']}/members/{w['member_id']}/moderator")


@write("meetup rsvp", shows_on={"meetup"})
def _rsvp(site, w):
    site.post(MEMBER, f"/circles/{w['circle']}/events/{w['meetup']}/rsvp")


@write("role change (admin)", shows_on={"thread", "writer replies"})
def _role(site, w):
    # A site role changes from the shell only (flask users set-role); an admin runs it.
    result = site.stored.test_cli_runner().invoke(args=["users", "set-role", WRITER, "staff"])
    assert result.exit_code == 0, result.output


@write("ban (staff)", shows_on={"writer replies"})
def _ban(site, w):
    site.post(STAFF, f"/mod/users/{WRITER}/ban", reason="Spam")


@pytest.fixture(scope="module")
def saved_site(tmp_path_factory):
    return Site(tmp_path_factory.mktemp("freshness"))


@pytest.fixture
def site(saved_site):
    saved_site.restore()
    return saved_site


def _cached(response):
    return response.headers.get("X-Page-Cache")


def _html(response):
    assert response.status_code == 200, (response.request.path, response.status_code)
    return normalised(response.get_data(as_text=True))


def _reads(site):
    """(page, reader, client of the stored app, client of the fresh one) for every page
    and each of its readers."""
    for page in site.pages:
        for reader, (stored, fresh) in site.readers.items():
            if reader != "staff" or page.staff:
                yield page, reader, stored, fresh


def _stored_for(page, reader):
    return reader == "visitor" or page.members


def _warm(site):
    """Every page read by each of its readers from the app that stores, each stored for
    them if it may be: {(page, reader): the page as they got it}."""
    shown = {}
    for page, reader, client, _fresh in _reads(site):
        answer = client.get(page.path)
        expected = "miss" if _stored_for(page, reader) else None
        assert _cached(answer) == expected, (page.name, reader, _cached(answer))
        shown[page.name, reader] = _html(answer)
    return shown


def _compare(site, before=None):
    """(pages stale for a reader, described; pages whose fresh render moved since `before`;
    what each stored read was: hit or miss). A page never stored for its reader (a
    visitors-only page for a fan, _warm checks it) is rendered for them every time."""
    stale, moved, served = [], set(), {}
    for page, reader, client, fresh in _reads(site):
        if not _stored_for(page, reader):
            continue
        answer = client.get(page.path)
        served[page.name, reader] = _cached(answer)
        forget_drawn()
        got, expected = _html(answer), _html(fresh.get(page.path))
        if got != expected:
            stale.append(f"{page.name} ({page.path}) as {reader}, {_cached(answer)}:\n"
                         f"{_diff(got, expected)}")
        if before is not None and expected != before[page.name, reader]:
            moved.add(page.name)
    return stale, moved, served


def _diff(got, expected, lines=12):
    diff = difflib.unified_diff(got.splitlines(), expected.splitlines(), "stored", "fresh",
                                n=0, lineterm="")
    return "\n".join(list(diff)[2:2 + lines])


@pytest.mark.parametrize("kind", list(WRITES))
def test_a_stored_page_shows_what_a_fresh_render_shows_after(site, kind):
    do, shows_on = WRITES[kind]
    before = _warm(site)
    do(site, site.world)
    stale, moved, _served = _compare(site, before)
    assert not stale, f"after {kind!r}, stored pages differ from fresh ones:\n" + "\n".join(stale)
    assert shows_on <= moved, f"{kind!r} did not show where expected: moved only {moved}"


def test_a_private_message_keeps_every_stored_page(site):
    """Messages show on no stored page: the pages stay stored, and still fresh (the
    reader's envelope is a hole of their own)."""
    minute = utcnow().replace(second=0, microsecond=0)
    _warm(site)
    site.post(WRITER, f"/conversations/{site.world['conversation']}/messages",
              body="See you on Friday?")
    stale, _moved, served = _compare(site)
    assert not stale, "\n".join(stale)
    # A page that shows the time is kept for its minute only: on a slow machine the
    # minute may turn between the two reads, and then those pages are drawn again.
    turned = utcnow().replace(second=0, microsecond=0) != minute
    misses = {name for name, how in served.items() if how != "hit"}
    assert not misses or turned, misses


def test_every_kind_of_stored_page_is_compared(saved_site):
    """A view newly marked @public_page joins the pages above, or this fails."""
    app = saved_site.stored
    routes = app.url_map.bind("fanforge.test")
    compared = {routes.match(urlsplit(page.path).path)[0] for page in saved_site.pages}
    assert compared == {endpoint for endpoint, view in app.view_functions.items()
                        if getattr(view, "public_page", False)}
