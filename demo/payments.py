"""Demo buyers pay as a buyer would: an address in their book, then the dummy gateway's
card (the same calls its checkout page makes) and its signed webhook."""

from flask import current_app

from community.web.site import absolute_url
from products.addresses import service as addresses
from products.payments import checkout, providers, runner, webhooks
from products.payments.providers import dummy

CITIES = [("北京市", "北京市", "海淀区", "中关村大街 1 号", "100080"),
          ("上海市", "上海市", "浦东新区", "世纪大道 100 号", "200120"),
          ("广东省", "深圳市", "南山区", "科技园南路 8 号", "518057"),
          ("浙江省", "杭州市", "西湖区", "文三路 90 号", "310012")]


def address(user, n):
    region, city, district, street, postal = CITIES[n % len(CITIES)]
    return addresses.add_address(user, {
        "recipient": user.username, "phone": f"1380013{n:04d}", "country": "CN", "region": region,
        "city": city, "district": district, "street": street, "postal_code": postal},
        make_default=True)


def pay(order, card=dummy.SUCCEEDS):
    """Pay what is due on `order` with `card`; returns the payment."""
    with current_app.test_request_context(base_url=current_app.config["SITE_URL"]):
        book = addresses.default_address(order.buyer)
        payment = checkout.start(order.id, order.buyer, absolute_url("orders.show", order_id=order.id),
                                 address_id=book.id if book else None)
    gateway = providers.get("dummy")
    webhooks.receive("dummy", *gateway.notification(gateway.pay(payment.ref, card)))
    return payment


def settle_money():
    """Run the captures, voids and refunds the worker would."""
    while runner.run_due()[0]:
        pass
