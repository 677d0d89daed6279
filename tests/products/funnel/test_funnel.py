from helpers import make_campaign, make_user
from sqlalchemy import update

from community.ideas import service as ideas
from community.kernel.database import utcnow
from community.kernel.extensions import db
from community.messages import sending as messages
from community.messages import service as conversations
from products.catalog.models import Product, ProductIdea
from products.funnel import service
from products.orders import service as orders


def _setup():
    staff = make_user(role="staff")
    campaign = make_campaign(staff=staff, cap=100, per_buyer=5)
    product = campaign.product
    idea = ideas.propose(product.board, make_user(), "Origin idea of it", "b")
    db.session.add(ProductIdea(product_id=product.id, idea_id=idea.id))
    db.session.execute(update(Product).where(Product.id == product.id).values(view_count=120))
    db.session.commit()
    return campaign, product, idea


def test_funnel_figures_sources_and_sharers(ctx):
    campaign, product, idea = _setup()
    sharer = make_user()
    buyers = [make_user() for _ in range(3)]
    for b in buyers:
        ideas.vote(idea.id, b)
    tier = campaign.tiers[0].id
    chat, _ = conversations.start(sharer, [buyers[0].username])
    messages.send(chat.id, sharer, share=("campaign", campaign.id))
    # The referrer comes from the card's sharer in that conversation, not from the caller.
    orders.place_order(campaign.id, buyers[0], tier, 2, "a", source_kind="conversation",
                       source_id=chat.id)
    orders.place_order(campaign.id, buyers[1], tier, 1, "b", source_kind="thread")
    cancelled, _ = orders.place_order(campaign.id, buyers[2], tier, 4, "c", referrer_id=sharer.id)
    orders.cancel_order(cancelled.id, buyers[2])
    figures = service.funnel(db.session.get(Product, product.id))
    assert figures["views"] == 120 and figures["idea_votes"] == 3
    assert (figures["backers"], figures["units"], figures["referred_units"]) == (2, 3, 2)
    assert figures["referral_share"] == 67
    assert figures["by_source"] == {"conversation": 2, "thread": 1}
    assert [(u.id, units, backers) for u, units, backers in service.top_sharers(product.id)] == [
        (sharer.id, 2, 1)]
    series = service.daily(product, utcnow().date())
    assert len(series) == 60
    assert series[-1][1:] == (3, 3)  # today's votes and live units


def test_dashboard_page_draws_a_chart(app, client, auth):
    with app.app_context():
        campaign, product, _ = _setup()
        orders.place_order(campaign.id, make_user(), campaign.tiers[0].id, 1, "k",
                           source_kind="thread")
        make_user("boss", role="staff")
        slug = product.slug
    assert client.get(f"/staff/products/{slug}/funnel").status_code == 302
    auth.login("boss")
    page = client.get(f"/staff/products/{slug}/funnel").get_data(as_text=True)
    assert 'data-testid="funnel-chart"' in page and "<polyline" in page
    assert "<td>Product thread</td><td>1</td>" in page  # a source's label, not its key
    assert client.get("/staff/products/nope/funnel").status_code == 404
