"""What a buyer owes on an order now, by the campaign's terms (Campaign.charge_mode).

A campaign charges the whole price now ("full", refunded if it fails), a deposit now and
the balance within `balance_days` of success ("deposit", 定金 + 尾款), or authorises now and
captures on success ("authorise"); "none" takes no money (a reservation, 预约). A placed
order holds its units until `pay_by`.
"""

from community.kernel.database import utcnow


def deposit_of(total_cents, percent):
    """The deposit on a price: the percentage, rounded up to a whole minor unit."""
    return -(-total_cents * percent // 100)


def due_now(order, now=None):
    """(purpose, amount in minor units) the buyer can pay now, or None."""
    campaign = order.campaign
    now = now or utcnow()
    if order.state != "reserved" or campaign.charge_mode == "none" or order.flag:
        return None
    if order.payment_status == "awaiting":
        if order.pay_by is not None and order.pay_by <= now:
            return None
        if campaign.charge_mode == "deposit":
            return "deposit", deposit_of(order.total_cents, campaign.deposit_percent)
        return "full", order.total_cents
    if (order.payment_status == "deposit_paid" and campaign.state == "succeeded"
            and order.balance_due_by is not None and now < order.balance_due_by):
        return "balance", order.total_cents - order.paid_cents + order.refunded_cents
    return None
