"""Demo store: products in every stage; a live campaign paid in full with two colours and
an early window, orders awaiting payment, paid, and cancelled with a refund; a deposit
campaign that succeeded, its orders confirmed, in production, shipped, delivered or with
the balance still due; one that failed, its authorisations released.
Registered with `flask --app app demo load`."""

from datetime import timedelta

from sqlalchemy import select, update

from community.forum import boards
from community.ideas.models import Idea
from community.kernel.database import utcnow
from community.kernel.extensions import db
from products.campaigns import service as campaigns
from products.campaigns.models import Campaign
from products.catalog import participation, polls, promotion, stages, variants
from products.fulfilment import service as fulfilment
from products.orders import service as orders
from products.orders.referrals import code_for

from . import payments

CNY = "CNY"


def _idea(title):
    return db.session.scalar(select(Idea).where(Idea.thread.has(title=title)))


def _product(staff, titles, name, slug, summary, description):
    ideas = [_idea(t) for t in titles]
    return promotion.promote(staff, [i.id for i in ideas], name, slug, summary, description,
                             board_id=ideas[0].board_id)


def _backdate(campaign, days_ago_start, days_ago_end):
    now = utcnow()
    db.session.execute(update(Campaign).where(Campaign.id == campaign.id).values(
        starts_at=now - timedelta(days=days_ago_start), ends_at=now - timedelta(days=days_ago_end)))
    db.session.commit()


def load(users):
    staff, fans = users["staff"], [users[n] for n in ("lilei", "meimei", *[f"fan0{i}" for i in range(1, 9)])]
    for n, fan in enumerate(fans):
        payments.address(fan, n)
    band = boards.get_board("band")
    promotion.set_threshold(band, staff, 5)
    now = utcnow()

    # A live campaign with an early window for co-creators and F-code holders.
    band9 = _product(staff, ["手环续航提升到 20 天", "NFC 门禁卡模拟"], "Forge Band 9", "forge-band-9",
                     "20 天续航，NFC 门禁卡。Twenty days of battery and door cards on the wrist.",
                     "The band the community asked for: **20 days** of battery with heart-rate on, "
                     "and NFC door-card emulation.")
    # Co-creation is earned: fan01-fan04 voted for both origin ideas (demo/ideas.py), so
    # they may join; lilei and meimei proposed them and are co-creators already.
    for fan in fans[2:6]:
        participation.join(band9, fan)
    stages.set_stage(band9, staff, "co_creation", "Design decisions with the co-creators.")
    poll = polls.create_poll(band9, staff, "表带颜色 Strap colour?", ["曜石黑 Black", "珊瑚橙 Coral",
                                                                  "薄荷绿 Mint"], now + timedelta(days=3))
    for fan in fans[2:5]:
        polls.vote(poll, fan, poll.options[1].id)
    live = campaigns.create_campaign(
        band9, staff, 50, 500, now - timedelta(hours=6), now + timedelta(days=10), 2,
        [{"name": "首发 Founders", "price_cents": 19900, "currency": CNY, "limit_units": 100,
          "early_until": now + timedelta(days=2), "includes": "手环、两条表带、签名卡 Band, two straps, a signed card"},
         {"name": "标准 Standard", "price_cents": 22900, "currency": CNY,
          "includes": "手环、一条表带 Band and one strap"}], charge_mode="full")
    campaigns.publish(live.id, staff)
    campaigns.issue_f_codes(live.id, staff, [users["meimei"].id], "Top contributor")
    # Two colours to pick, the coral one dearer and fewer.
    colour = variants.add_option(band9, staff, "颜色 Colour")
    for label in ("曜石黑 Black", "珊瑚橙 Coral"):
        variants.add_value(band9, staff, colour.id, label)
    variants.generate_variants(band9, staff)
    black, coral = variants.variants_of(band9.id)
    variants.update_variant(band9, staff, coral.id, "BAND9-CORAL", coral.label, 1000, 30, True)
    placed = [orders.place_order(live.id, fan, live.tiers[1].id, 1 + n % 2, f"demo-{n}",
                                 referrer_id=users["lilei"].id if n % 3 == 0 else None,
                                 source_kind=("product", "thread", "idea")[n % 3],
                                 variant_id=(black, coral)[n % 2].id)[0]
              for n, fan in enumerate(fans[2:9])]
    # Five paid, one awaiting payment (its units held), one paid then cancelled: refunded.
    for order in placed[:5] + placed[6:]:
        payments.pay(order)
    orders.cancel_order(placed[6].id, placed[6].buyer)

    # One that reached its goal, and one that did not.
    lock = _product(staff, ["门锁一次性临时密码"], "Forge Lock S", "forge-lock-s",
                    "一次性临时密码的智能门锁。A smart lock with one-time codes.",
                    "Send a code that works once.")
    done = campaigns.create_campaign(lock, staff, 3, 100, now - timedelta(days=1),
                                     now + timedelta(hours=1), 3,
                                     [{"name": "Standard", "price_cents": 89900, "currency": CNY}],
                                     charge_mode="deposit", deposit_percent=20, balance_days=14)
    campaigns.publish(done.id, staff)
    locks = [orders.place_order(done.id, fan, done.tiers[0].id, 1, f"lock-{n}")[0]
             for n, fan in enumerate(fans[:5])]
    for order in locks:
        payments.pay(order)  # the deposit
    _backdate(done, 20, 5)
    campaigns.settle(done.id)
    for order in locks[:4]:
        payments.pay(order)  # the balance; the fifth buyer's is still due
    stages.set_stage(lock, staff, "in_production", "Goal reached: production started.")
    fulfilment.start_production(done.id, staff)
    fulfilment.ship(locks[0].id, staff, "顺丰速运 SF Express", "SF1234567890123")
    fulfilment.ship(locks[1].id, staff, "京东物流 JD Logistics", "JDVA00123456789")
    fulfilment.deliver(locks[1].id, staff)

    vacuum = _product(staff, ["Night mode with less noise"], "Forge Cam Mini", "forge-cam-mini",
                      "A camera for night shots.", "Cleaner night photos.")
    failed = campaigns.create_campaign(vacuum, staff, 100, 300, now - timedelta(days=1),
                                       now + timedelta(hours=1), 2,
                                       [{"name": "Standard", "price_cents": 49900, "currency": CNY}],
                                       charge_mode="authorise")
    campaigns.publish(failed.id, staff)
    held = orders.place_order(failed.id, fans[5], failed.tiers[0].id, 1, "cam-1")[0]
    payments.pay(held)  # authorised, then released when the campaign fails
    _backdate(failed, 30, 10)
    campaigns.settle(failed.id)
    payments.settle_money()
    stages.set_stage(vacuum, staff, "co_creation", "Goal missed: back to the drawing board with you.")
    # lilei helped in the night-photo thread without voting for the idea: staff grant it.
    participation.grant(vacuum, staff, "lilei")

    # The remaining stages, so the catalog shows each one.
    swim = _product(staff, ["Swim stroke detection"], "Swim Coach", "swim-coach",
                    "Stroke detection for the band.", "Shipped in firmware 2.3.")
    stages.set_stage(swim, staff, "shipped", "Out now.")
    faces = _product(staff, ["自定义表盘编辑器"], "表盘工坊 Face Studio", "face-studio",
                     "自己设计表盘。Design your own watch faces.", "Upload photos, pick fonts.")
    stages.set_stage(faces, staff, "cancelled", "Merged into the firmware roadmap instead.")
    _product(staff, ["灯光随日出日落自动调节"], "Sunrise Lights", "sunrise-lights",
             "Lights that follow the sun.", "Concept stage: tell us what you think.")
    return code_for(users["lilei"].id)
