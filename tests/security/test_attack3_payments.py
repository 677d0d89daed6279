"""Attack3: payments, from outside and from a staff API client."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "products" / "payments"))

from helpers import make_user  # noqa: E402
from paying import charging_campaign, order, pay_directly, place, run_actions  # noqa: E402

from products.payments import refunds  # noqa: E402


def test_a_webhook_for_a_provider_the_site_has_not_configured_is_not_a_500(app, client):
    """Anyone may POST to /payments/webhooks/stripe or /wechatpay on a site paying with
    another provider: building the unconfigured provider raises RuntimeError (a 500 and a
    traceback in the log per request) instead of a 4xx."""
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer as production does
    for provider in ("stripe", "wechatpay"):
        response = client.post(f"/payments/webhooks/{provider}", data=b"{}",
                               content_type="application/json")
        assert response.status_code < 500, (provider, response.status_code)


def test_a_refund_key_used_on_another_order_still_refunds_that_order(app):
    """refund_order's "the same form sent again" check matches the request key across
    every order: a staff client that reuses a key (POST /api/v1/preorders/<id>/refunds
    {"request_key": "r1"}) on a second order is answered 202 with the amount, but nothing
    is refunded to that buyer."""
    with app.app_context():
        campaign = charging_campaign("full")
        first, second = place(campaign, make_user()), place(campaign, make_user())
        pay_directly(first)
        pay_directly(second)
        staff = make_user(role="staff")
        assert refunds.refund_order(first.id, staff, 5000, "Scratched box", request_key="r1") == 5000
        assert refunds.refund_order(second.id, staff, 5000, "Late", request_key="r1") == 5000
        run_actions()
        assert order(first.id).refunded_cents == 5000
        assert order(second.id).refunded_cents == 5000, "told 'refund queued', nothing refunded"
