"""Campaign use cases: drafting with tiers, publishing, F-codes, settling, cancelling."""

import secrets
from datetime import datetime

from babel.numbers import list_currencies
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from community.audit.service import record_audit
from community.engagement import leaderboards
from community.forum.moderation import ensure_staff
from community.kernel.database import transaction, utcnow
from community.kernel.errors import Conflict, NotFound, ValidationError
from community.kernel.extensions import db

from .. import signals
from ..catalog import cocreation
from ..catalog.models import Product
from ..catalog.stages import record_stage
from ..orders.models import NOTHING_OWED, Order
from .models import CHARGE_MODES, MAX_INCLUDES, Campaign, FCode, Tier

MAX_TIERS = 10
OPEN = ("scheduled", "live")  # published and not yet settled


def _positive_int(value, field, message, upper=1_000_000):
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= upper:
        raise ValidationError(message, field=field)
    return value


def _check_tier(raw, starts_at, ends_at, cap_units, index):
    name = (raw.get("name") or "").strip()
    if not 1 <= len(name) <= 80:
        raise ValidationError(_("Tier %(n)d needs a name of at most 80 characters.", n=index + 1),
                              field="tiers")
    price = raw.get("price_cents")
    if not isinstance(price, int) or isinstance(price, bool) or not 0 <= price <= 100_000_000:
        raise ValidationError(_("Tier %(n)d needs a price in whole cents.", n=index + 1), field="tiers")
    currency = (raw.get("currency") or "").upper()
    if currency not in list_currencies():
        raise ValidationError(_("Tier %(n)d has an unknown currency code.", n=index + 1), field="tiers")
    limit = raw.get("limit_units")
    if limit is not None:
        _positive_int(limit, "tiers", _("Tier %(n)d: the unit limit is a whole number above 0.",
                                        n=index + 1), upper=cap_units)
    early = raw.get("early_until")
    if early is not None and not (isinstance(early, datetime) and starts_at < early < ends_at):
        raise ValidationError(_("Tier %(n)d: the early window must end between the start and "
                                "the end of the campaign.", n=index + 1), field="tiers")
    includes = raw.get("includes") or ""
    if not isinstance(includes, str) or len(includes.strip()) > MAX_INCLUDES:
        raise ValidationError(_("Tier %(n)d: say what it includes in at most %(max)d characters.",
                                n=index + 1, max=MAX_INCLUDES), field="tiers")
    return Tier(name=name, price_cents=price, currency=currency, limit_units=limit,
                early_until=early, position=index, includes=includes.strip())


def _payment_terms(charge_mode, deposit_percent, balance_days, deposit_refundable):
    if charge_mode not in CHARGE_MODES:
        raise ValidationError(_("Choose how buyers pay."), field="charge_mode")
    if charge_mode != "deposit":
        return {"charge_mode": charge_mode, "deposit_percent": None, "balance_days": None,
                "deposit_refundable": True}
    percent = _positive_int(deposit_percent, "deposit_percent",
                            _("The deposit is a whole percentage from 1 to 90."), upper=90)
    days = _positive_int(balance_days, "balance_days",
                         _("The balance is due within 1 to 60 days."), upper=60)
    return {"charge_mode": charge_mode, "deposit_percent": percent, "balance_days": days,
            "deposit_refundable": bool(deposit_refundable)}


def create_campaign(product, actor, goal_units, cap_units, starts_at, ends_at, per_buyer_limit, tiers,
                    charge_mode="full", deposit_percent=None, balance_days=None,
                    deposit_refundable=True):
    """Staff draft a campaign; it takes no orders until published. It charges buyers as
    `charge_mode` says (orders/dues.py): in full, a deposit then the balance, an
    authorisation captured on success, or nothing (a reservation)."""
    ensure_staff(actor)
    terms = _payment_terms(charge_mode, deposit_percent, balance_days, deposit_refundable)
    goal = _positive_int(goal_units, "goal_units", _("The goal is a whole number of units above 0."))
    cap = _positive_int(cap_units, "cap_units", _("The stock cap is a whole number of units above 0."))
    if cap < goal:
        raise ValidationError(_("The stock cap cannot be below the goal."), field="cap_units")
    limit = _positive_int(per_buyer_limit, "per_buyer_limit",
                          _("The per-buyer limit is a whole number above 0."), upper=cap)
    if not isinstance(starts_at, datetime) or not isinstance(ends_at, datetime):
        raise ValidationError(_("Give the campaign a start and an end."), field="starts_at")
    if ends_at <= starts_at:
        raise ValidationError(_("The campaign must end after it starts."), field="ends_at")
    if ends_at <= utcnow():
        raise ValidationError(_("The end is already past."), field="ends_at")
    if not tiers or len(tiers) > MAX_TIERS:
        raise ValidationError(_("Give the campaign 1 to %(n)d tiers.", n=MAX_TIERS), field="tiers")
    tier_rows = [_check_tier(raw, starts_at, ends_at, cap, i) for i, raw in enumerate(tiers)]
    with transaction():
        if db.session.get(Product, product.id) is None:
            raise NotFound(_("No such product."))
        campaign = Campaign(product_id=product.id, goal_units=goal, cap_units=cap,
                            starts_at=starts_at, ends_at=ends_at, per_buyer_limit=limit,
                            created_by_id=actor.id, **terms)
        db.session.add(campaign)
        db.session.flush()
        for tier in tier_rows:
            tier.campaign_id = campaign.id
            db.session.add(tier)
        record_audit(actor, "campaign_edit", f"campaign:{campaign.id}",
                     f"created for product {product.id}: goal {goal}, cap {cap}")
    db.session.refresh(campaign)
    return campaign


def get_campaign(campaign_id):
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(_("No such campaign."))
    return campaign


def current_campaign(product_id):
    """The campaign a product page shows: the open one, else the latest settled one."""
    return db.session.scalars(
        select(Campaign).where(Campaign.product_id == product_id, Campaign.state != "draft")
        .order_by((Campaign.state.in_(OPEN)).desc(), Campaign.id.desc()).limit(1)
    ).first()


def publish(campaign_id, actor):
    """Draft -> scheduled or live; co-creators who qualify get their F-codes."""
    ensure_staff(actor)
    with transaction():
        campaign = db.session.get(Campaign, campaign_id, populate_existing=True)
        if campaign is None:
            raise NotFound(_("No such campaign."))
        if campaign.state != "draft":
            raise Conflict(_("Only a draft can be published."), code="not_draft")
        now = utcnow()
        if campaign.ends_at <= now:
            raise Conflict(_("The campaign's end is already past."), code="ended")
        other = db.session.scalar(select(Campaign.id).where(
            Campaign.product_id == campaign.product_id, Campaign.state.in_(OPEN)))
        if other:
            raise Conflict(_("The product already has an open campaign."), code="campaign_open")
        campaign.state = "scheduled" if now < campaign.starts_at else "live"
        campaign.published_at = now
        product = db.session.get(Product, campaign.product_id)
        if product.stage in ("concept", "co_creation"):
            record_stage(product, actor, "preorder", _("Pre-orders open."))
        issued = sorted(cocreation.qualifying(campaign.product_id))
        for user_id in issued:
            _issue(campaign.id, user_id, _("Co-creator"), None)
        record_audit(actor, "campaign_edit", f"campaign:{campaign.id}",
                     f"published ({campaign.state})")
        if issued:
            record_audit(actor, "fcode_issue", f"campaign:{campaign.id}",
                         f"{len(issued)} to co-creators on publishing")
        signals.campaign_published.send(campaign)
    return campaign


def _issue(campaign_id, user_id, reason, issued_by_id):
    code = secrets.token_hex(5).upper()
    f_code = FCode(campaign_id=campaign_id, user_id=user_id, code=code, reason=reason,
                   issued_by_id=issued_by_id)
    db.session.add(f_code)
    db.session.flush()
    signals.f_code_issued.send(f_code)
    return code


def issue_f_codes(campaign_id, actor, user_ids, reason=""):
    """Staff give chosen co-creators an F-code each (one per person per campaign). Only
    co-creators who qualify now get one (cocreation.qualifying): staff grant co-creation
    first to reward anyone else. The codes issued; fewer than asked when some did not."""
    ensure_staff(actor)
    with transaction():
        campaign = get_campaign(campaign_id)
        if campaign.state not in ("draft", *OPEN):
            raise Conflict(_("F-codes are for campaigns that have not ended."), code="ended")
        eligible = cocreation.qualifying(campaign.product_id, user_ids)
        have = set(db.session.scalars(select(FCode.user_id).where(
            FCode.campaign_id == campaign_id, FCode.user_id.in_(user_ids))))
        chosen = [uid for uid in dict.fromkeys(user_ids) if uid in eligible and uid not in have]
        if chosen:
            record_audit(actor, "fcode_issue", f"campaign:{campaign_id}",
                         f"{len(chosen)} to users {', '.join(map(str, chosen))}: {reason}")
        return [_issue(campaign_id, uid, reason or _("Chosen by staff"), actor.id)
                for uid in chosen]


def issue_f_codes_to_top(campaign_id, actor, n, period="month"):
    """F-codes for the top `n` contributors of the product's board this month (or week)
    among its co-creators who qualify."""
    if not isinstance(n, int) or not 1 <= n <= 500:
        raise ValidationError(_("Give a number of contributors from 1 to 500."), field="top_n")
    campaign = get_campaign(campaign_id)
    eligible = cocreation.qualifying(campaign.product_id)
    top = leaderboards.top(period, campaign.product.board_id, limit=500)
    chosen = [user.id for user, _points in top if user.id in eligible][:n]
    return issue_f_codes(campaign_id, actor, chosen,
                         _("Top contributor of %(board)s", board=campaign.product.board.name))


def f_codes_of(user, campaign_id):
    if user is None or not user.is_authenticated:
        return []
    return db.session.scalars(select(FCode).where(FCode.campaign_id == campaign_id,
                                                  FCode.user_id == user.id)).all()


def settle(campaign_id):
    """At the end, all or nothing: confirm every order or cancel them all. Idempotent."""
    with transaction():
        now = utcnow()
        campaign = db.session.get(Campaign, campaign_id, populate_existing=True)
        if campaign is None or campaign.state not in OPEN or campaign.ends_at > now:
            return None
        outcome = "succeeded" if _units_counted(campaign) >= campaign.goal_units else "failed"
        won = db.session.execute(
            update(Campaign).where(Campaign.id == campaign_id, Campaign.state.in_(OPEN))
            .values(state=outcome, settled_at=now).returning(Campaign.id)).first()
        if won is None:
            return None
        if outcome == "succeeded":
            _confirm(campaign, now)
        else:
            _cancel_all(campaign_id, "campaign_failed", now)
        db.session.refresh(campaign)
        signals.campaign_settled.send(campaign, outcome=outcome)
    return outcome


# The orders whose money is in (or held): with them a paying campaign reaches its goal.
_COUNTED = {"none": ("none",), "full": ("paid",), "authorise": ("authorised",),
            "deposit": ("deposit_paid", "paid")}


def _units_counted(campaign):
    """Units toward the goal: every reserved unit of a reservation campaign; the paid (or
    authorised, or deposit-paid) ones of a campaign that charges: a hold nobody paid for
    does not make a campaign succeed."""
    if campaign.charge_mode == "none":
        return campaign.reserved_units
    return db.session.scalar(select(func.coalesce(func.sum(Order.quantity), 0)).where(
        Order.campaign_id == campaign.id, Order.state == "reserved",
        Order.payment_status.in_(_COUNTED[campaign.charge_mode])))


def _confirm(campaign, now):
    """Success: orders whose money is in are confirmed; a deposit order waits for its
    balance (payments/settlement.py sets the deadline); the unpaid are cancelled."""
    confirmed = tuple(s for s in _COUNTED[campaign.charge_mode] if s != "deposit_paid")
    db.session.execute(update(Order).where(Order.campaign_id == campaign.id, Order.state == "reserved",
                                           Order.payment_status.in_(confirmed))
                       .values(state="confirmed", confirmed_at=now))
    db.session.execute(update(Order).where(Order.campaign_id == campaign.id, Order.state == "reserved",
                                           Order.payment_status == "awaiting")
                       .values(state="cancelled", cancelled_at=now, cancel_reason="unpaid",
                               payment_status="none"))


def _cancel_all(campaign_id, reason, now):
    # Counters stay as pledged, a record of how far the campaign got; the orders
    # carry the reason, so units can be told apart afterwards.
    db.session.execute(update(Order).where(Order.campaign_id == campaign_id,
                                           Order.state == "reserved")
                       .values(state="cancelled", cancelled_at=now, cancel_reason=reason,
                               payment_status=NOTHING_OWED))


def settle_due():
    due = db.session.scalars(select(Campaign.id).where(
        Campaign.state.in_(OPEN), Campaign.ends_at <= utcnow())).all()
    return [(campaign_id, settle(campaign_id)) for campaign_id in due]


def open_due(now=None):
    """Scheduled campaigns whose start has come are stored as live, each by one conditional
    UPDATE, so of two runs at once (or one run twice) only one flips a campaign and its
    watchers hear "pre-orders are open" once (signals.campaign_went_live). One whose end
    has passed too (the worker was down) flips without the notice: settling comes next."""
    now = now or utcnow()
    opened = []
    with transaction():
        flipped = db.session.scalars(
            update(Campaign).where(Campaign.state == "scheduled", Campaign.starts_at <= now)
            .values(state="live").returning(Campaign.id)
            .execution_options(synchronize_session=False)).all()
        for campaign_id in sorted(flipped):
            campaign = db.session.get(Campaign, campaign_id, populate_existing=True)
            if campaign.ends_at > now:
                signals.campaign_went_live.send(campaign)
                opened.append(campaign_id)
    return opened


def refresh(campaign):
    """Viewing a campaign after its end settles it."""
    if campaign.state in OPEN and campaign.ends_at <= utcnow():
        settle(campaign.id)
        return db.session.get(Campaign, campaign.id, populate_existing=True)
    return campaign


def cancel(campaign_id, actor, reason=""):
    ensure_staff(actor)
    with transaction():
        campaign = get_campaign(campaign_id)
        if campaign.state not in ("draft", *OPEN):
            raise Conflict(_("This campaign has already ended."), code="ended")
        campaign.state = "cancelled"
        campaign.settled_at = utcnow()
        record_audit(actor, "campaign_edit", f"campaign:{campaign.id}", f"cancelled: {reason}")
        _cancel_all(campaign_id, "campaign_cancelled", campaign.settled_at)
        signals.campaign_cancelled.send(campaign, reason=reason)
    return campaign


