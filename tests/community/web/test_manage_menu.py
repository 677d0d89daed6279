"""Staff's Manage menu: every staff page one click away for staff, never shown to a fan or
a visitor, not even on a page a staff member's visit could have stored; New round on
/rounds; staff times shown with their zone."""

from datetime import datetime

import pytest
from helpers import make_board, make_campaign, make_product, make_user

from community.kernel.extensions import db
from community.rounds.models import Round

STAFF_PAGES = ("/staff/products", "/staff/products/ready", "/rounds", "/rounds/new", "/mod/reports",
               "/mod/queue", "/mod/log", "/staff/jobs", "/staff/audit")


def _menu(page):
    return page.split('data-testid="manage-menu"')[1].split("</details>")[0]


def test_staff_find_every_staff_page_in_the_menu(app, client, auth):
    with app.app_context():
        make_user("boss", role="staff")
        make_user("root", role="admin")
    auth.login("boss")
    menu = _menu(client.get("/ideas").get_data(as_text=True))
    for path in STAFF_PAGES:
        assert f'href="{path}"' in menu
        assert client.get(path).status_code == 200, path
    assert 'href="/admin/boards"' not in menu  # admins only
    assert "<summary" in menu  # a disclosure: no script needed, reachable by keyboard
    me = client.get("/me").get_data(as_text=True)
    assert 'data-testid="me-manage"' in me and 'href="/staff/products"' in me
    auth.logout()
    auth.login("root")
    assert 'href="/admin/boards"' in _menu(client.get("/ideas").get_data(as_text=True))


@pytest.mark.parametrize("path", ["/ideas", "/rounds", "/products", "/"])
def test_fans_and_visitors_never_see_it_even_after_a_staff_visit(app, client, auth, path):
    with app.app_context():
        make_user("boss", role="staff")
        make_user("lilei")
    auth.login("boss")
    staff_page = client.get(path, follow_redirects=True).get_data(as_text=True)
    assert 'data-testid="manage-menu"' in staff_page
    auth.logout()
    for _ in range(2):  # the second one is a stored page
        visitor = client.get(path, follow_redirects=True).get_data(as_text=True)
        assert "manage-menu" not in visitor and "/staff/products" not in visitor
    auth.login("lilei")
    fan = client.get(path, follow_redirects=True).get_data(as_text=True)
    assert "manage-menu" not in fan and "/staff/" not in fan
    assert "manage-menu" not in client.get("/me").get_data(as_text=True)
    assert client.get("/staff/products").status_code == 403


def test_new_round_on_rounds_is_for_staff(app, client, auth):
    with app.app_context():
        make_user("boss", role="staff")
        make_board(slug="bands", name="Bands")
    assert 'data-testid="new-round"' not in client.get("/rounds").get_data(as_text=True)
    auth.login("boss")
    page = client.get("/rounds").get_data(as_text=True)
    assert 'href="/rounds/new" data-testid="new-round"' in page
    assert 'href="/b/bands/rounds/new"' in client.get("/rounds/new").get_data(as_text=True)


def test_the_desk_lists_products_with_their_campaigns_and_funnels(app, client, auth):
    with app.app_context():
        staff = make_user("boss", role="staff")
        product = make_product(staff=staff, slug="band-9")
        campaign = make_campaign(product=product, staff=staff)
        campaign_id = campaign.id
    auth.login("boss")
    page = client.get("/staff/products").get_data(as_text=True)
    assert 'href="/staff/products/band-9/funnel"' in page
    assert 'href="/staff/products/band-9/campaigns/new"' in page
    assert f'href="/campaigns/{campaign_id}"' in page
    assert "Asia/Shanghai" in page


def test_a_time_typed_in_shanghai_is_kept_in_utc_and_shown_with_its_zone(app, client, auth):
    with app.app_context():
        make_user("boss", role="staff")
        make_board(slug="bands", name="Bands")
    auth.login("boss")
    form = client.get("/b/bands/rounds/new").get_data(as_text=True)
    assert "Starts (Asia/Shanghai)" in form
    response = client.post("/b/bands/rounds/new", data={
        "title": "Strap colours", "brief": "", "starts_at": "2027-01-01T10:00",
        "ends_at": "2027-01-08T10:00", "vote_budget": ""})
    assert response.status_code == 302
    with app.app_context():
        round_ = db.session.query(Round).one()
        assert round_.starts_at == datetime(2027, 1, 1, 2, 0)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'datetime="2027-01-01T02:00:00Z" data-zone="Asia/Shanghai"' in page
    shown = page.split('data-zone="Asia/Shanghai">')[1].split("</time>")[0]
    assert "10:00" in shown and "Asia/Shanghai" in shown
