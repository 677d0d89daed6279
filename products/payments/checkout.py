"""Paying for an order: what is due now, and a payment at the provider to pay it.

What is due comes from the campaign's terms (orders/dues.py); a placed order holds its
units until `pay_by`, and the reservation sweep (reservations.py) gives back what is unpaid.

Starting a payment is three steps so no provider call runs inside a database write:
the payment row (its id is the idempotency key the provider gets), the provider's
create, then the provider's reference on the row. A crash between them leaves a row
without a reference, and the next try asks the provider again with the same key, which
answers with the same payment.
"""

from flask_babel import gettext as _
from sqlalchemy import select

from community.kernel.database import transaction, utcnow
from community.kernel.errors import Conflict, NotFound, ValidationError
from community.kernel.extensions import db

from ..addresses import service as addresses
from ..orders.dues import due_now
from ..orders.models import Order
from . import ledger, providers
from .models import Payment
from .providers.base import PaymentRequest, ProviderError

# Payments still waiting for the buyer: paying again goes on with the same one.
OPEN = ("created", "action", "failed")


def _own_order(order_id, buyer):
    order = db.session.get(Order, order_id, populate_existing=True)
    if order is None or buyer is None or not buyer.is_authenticated or order.buyer_id != buyer.id:
        raise NotFound(_("No such pre-order."))
    return order


def start(order_id, buyer, return_url, address_id=None):
    """The payment the buyer pays the order's due amount with (an open one, or a new one);
    the provider sends the buyer back to `return_url` (the order's page) afterwards. The
    order keeps a copy of the address `address_id` (one is needed before the first payment)."""
    order = _own_order(order_id, buyer)
    due = due_now(order)
    if due is None:
        raise Conflict(_("Nothing is due on this pre-order now."), code="nothing_due")
    purpose, amount = due
    provider = providers.current()
    if provider.currencies is not None and order.currency not in provider.currencies:
        raise ValidationError(_("This payment method does not take %(currency)s.",
                                currency=order.currency), code="currency_not_supported")
    with transaction():
        if address_id is not None:
            addresses.copy_to_order(order, buyer, address_id)
        elif order.ship_name is None and purpose != "balance":
            raise ValidationError(_("Choose where to ship it."), field="address_id",
                                  code="address_required")
        payment = db.session.scalars(select(Payment).where(
            Payment.order_id == order.id, Payment.purpose == purpose,
            Payment.provider == provider.name, Payment.amount_cents == amount,
            Payment.status.in_(OPEN)).order_by(Payment.id.desc()).limit(1)).first()
        if payment is None:
            payment = Payment(order_id=order.id, provider=provider.name, purpose=purpose,
                              amount_cents=amount, currency=order.currency,
                              capture=order.campaign.charge_mode != "authorise",
                              created_at=utcnow(), updated_at=utcnow())
            db.session.add(payment)
    if payment.ref is None:
        _create_at_provider(provider, payment, order, return_url)
    return payment


def _create_at_provider(provider, payment, order, return_url):
    product = order.campaign.product
    try:
        created = provider.create(PaymentRequest(
            payment_id=payment.id, order_id=order.id, amount_cents=payment.amount_cents,
            currency=payment.currency, capture=payment.capture,
            description=f"{product.name} × {order.quantity} (#{order.id})",
            return_url=return_url,
            idempotency_key=f"fanforge-payment-{payment.id}"))
    except ProviderError as error:
        raise Conflict(_("The payment provider could not be reached; try again in a moment."),
                       code="provider_unavailable") from error
    with transaction():
        payment = db.session.get(Payment, payment.id, populate_existing=True)
        payment.ref, payment.checkout_url = created.ref, created.checkout_url
        payment.client_secret = created.client_secret
        if created.events:
            ledger.record(provider.name, created.events, "reply")
    return payment
