import codecs
import csv
import io

import pytest
from helpers import make_campaign, make_user
from sqlalchemy import text, update
from sqlalchemy.exc import IntegrityError

from community.kernel.database import transaction
from community.kernel.errors import Conflict, Forbidden, NotFound, ValidationError
from community.kernel.extensions import db
from products import signals
from products.addresses import service as addresses
from products.fulfilment import csvfiles, service
from products.orders import service as orders
from products.orders.models import Order

HOME = {"recipient": "李雷", "phone": "13812345678", "region": "北京市", "city": "北京",
        "street": "中关村大街1号", "postal_code": "100080"}


@pytest.fixture
def shop(ctx):
    staff = make_user(role="staff")
    campaign = make_campaign(staff=staff, cap=20, per_buyer=5)
    buyers = [make_user() for _n in range(3)]
    placed = []
    for n, buyer in enumerate(buyers):
        order, _ = orders.place_order(campaign.id, buyer, campaign.tiers[0].id, n + 1, "k")
        address = addresses.add_address(buyer, HOME)
        with transaction():
            addresses.copy_to_order(order, buyer, address.id)
        placed.append(order.id)
    with transaction():
        db.session.execute(update(Order).where(Order.id.in_(placed[:2]))
                           .values(state="confirmed"))
    return {"staff": staff, "campaign": campaign.id, "confirmed": placed[:2],
            "reserved": placed[2], "fan": buyers[0]}


def _order(order_id):
    return db.session.get(Order, order_id, populate_existing=True)


def test_steps_move_forward_only(shop):
    staff, (first, second) = shop["staff"], shop["confirmed"]
    assert service.start_production(shop["campaign"], staff) == 2
    assert service.start_production(shop["campaign"], staff) == 0
    order, changed = service.ship(first, staff, "顺丰速运", "SF 1234 5678")
    assert changed and order.fulfilment_status == "shipped" and order.tracking_number == "SF12345678"
    assert service.ship(first, staff, "顺丰速运", "SF12345678")[1] is False  # the same again
    with pytest.raises(Conflict) as caught:
        service.ship(first, staff, "EMS", "EE123456789CN")
    assert caught.value.code == "already_shipped"
    order, changed = service.deliver(first, staff)
    assert changed and order.fulfilment_status == "delivered" and order.delivered_at
    assert service.deliver(first, staff)[1] is False
    with pytest.raises(Conflict):  # delivered never goes back to shipped
        service.ship(first, staff, "EMS", "EE123456789CN")
    with pytest.raises(Conflict) as caught:
        service.deliver(second, staff)  # in production, not shipped
    assert caught.value.code == "not_shipped"
    assert service.counts(shop["campaign"]) == {"waiting": 0, "in_production": 1, "shipped": 0,
                                                "delivered": 1, "total": 2,
                                                "without_address": 0}


def test_only_confirmed_orders_and_only_staff(shop):
    with pytest.raises(Conflict) as caught:
        service.ship(shop["reserved"], shop["staff"], "SF", "SF12345678")
    assert caught.value.code == "not_confirmed"
    assert _order(shop["reserved"]).fulfilment_status is None
    with pytest.raises(Forbidden):
        service.ship(shop["confirmed"][0], shop["fan"], "SF", "SF12345678")
    with pytest.raises(Forbidden):
        service.start_production(shop["campaign"], shop["fan"])
    with pytest.raises(NotFound):
        service.ship(987654, shop["staff"], "SF", "SF12345678")
    with pytest.raises(ValidationError) as caught:
        service.ship(shop["confirmed"][0], shop["staff"], "SF", "")
    assert caught.value.code == "missing_tracking_number"


def test_the_schema_refuses_an_unknown_step(shop):
    with pytest.raises(IntegrityError), transaction():
        db.session.execute(text("UPDATE orders SET fulfilment_status = 'lost' WHERE id = :id"),
                           {"id": shop["confirmed"][0]})


def test_shipping_sends_a_signal(shop):
    seen = []

    def listener(order, **extra):
        seen.append((order.id, extra))

    signals.order_shipped.connect(listener)
    try:
        service.ship(shop["confirmed"][0], shop["staff"], "SF", "SF12345678")
        service.ship(shop["confirmed"][0], shop["staff"], "SF", "SF12345678")
    finally:
        signals.order_shipped.disconnect(listener)
    assert seen == [(shop["confirmed"][0], {"carrier": "SF", "tracking_number": "SF12345678"})]


def _csv(rows, encoding="utf-8"):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def test_import_reports_each_line_and_twice_marks_nothing_twice(shop):
    first, second = shop["confirmed"]
    data = _csv([["order_id", "carrier", "tracking_number"],
                 [first, "顺丰速运", "SF1001"],
                 [shop["reserved"], "SF", "SF1002"],
                 [987654, "SF", "SF1003"],
                 ["abc", "SF", "SF1004"],
                 ["", "SF", "SF1005"],
                 [second, "", "SF1006"],
                 [second, "EMS", ""]])
    report = csvfiles.import_shipments(shop["campaign"], shop["staff"], data)
    outcomes = [(e["line"], e["outcome"], e["code"]) for e in report["lines"]]
    assert outcomes == [(2, "shipped", None), (3, "refused", "not_confirmed"),
                        (4, "refused", "unknown_order"), (5, "refused", "unknown_order"),
                        (6, "refused", "missing_order_id"), (7, "refused", "missing_carrier"),
                        (8, "refused", "missing_tracking_number")]
    assert (report["shipped"], report["refused"]) == (1, 6)
    assert _order(first).carrier == "顺丰速运" and _order(second).fulfilment_status is None
    again = csvfiles.import_shipments(shop["campaign"], shop["staff"], data)
    assert (again["shipped"], again["unchanged"], again["refused"]) == (0, 1, 6)
    other = _csv([[first, "EMS", "EE1234"], [second, "EMS", "EE123456789CN"]])
    third = csvfiles.import_shipments(shop["campaign"], shop["staff"], other)
    assert [(e["outcome"], e["code"]) for e in third["lines"]] == [
        ("refused", "already_shipped"), ("shipped", None)]
    assert _order(first).tracking_number == "SF1001"


def test_orders_of_another_campaign_are_unknown_here(shop):
    elsewhere = make_campaign(staff=shop["staff"])
    report = csvfiles.import_shipments(elsewhere.id, shop["staff"],
                                       _csv([[shop["confirmed"][0], "SF", "SF1001"]]))
    assert report["lines"][0]["code"] == "unknown_order"


@pytest.mark.parametrize("encode", [
    lambda rows: codecs.BOM_UTF8 + _csv(rows),
    lambda rows: _csv(rows, "gb18030"),
    lambda rows: _csv(rows).replace(b",", b";"),
    lambda rows: _csv(rows).replace(b"\r\n", b"\n"),
])
def test_boms_encodings_and_separators(shop, encode):
    data = encode([["order_id", "carrier", "tracking_number"],
                   [shop["confirmed"][0], "顺丰速运", "SF1001"]])
    report = csvfiles.import_shipments(shop["campaign"], shop["staff"], data)
    assert report["shipped"] == 1 and _order(shop["confirmed"][0]).carrier == "顺丰速运"


MALFORMED = [
    b"", b"\n\n", b"\x00\x01\x02binary", b"\xff\xfe\x00o\x00r", b"order_id\n1\n",
    b"a" * (csvfiles.MAX_BYTES + 1), b"1,SF,SF1\n" * (csvfiles.MAX_LINES + 1),
    b'1,SF,"' + b"a" * 140_000 + b'"\n', "中,文\n".encode() + b"\xad\xff,SF,SF1\n"]


def test_malformed_files_are_refused_whole(shop):
    for n, data in enumerate(MALFORMED):  # one shop for all: a refused file ships nothing
        with pytest.raises(ValidationError) as caught:
            csvfiles.import_shipments(shop["campaign"], shop["staff"], data)
        assert caught.value.code == "bad_file", n
        assert service.counts(shop["campaign"])["shipped"] == 0, n


def test_garbage_lines_are_refused_one_by_one(shop):
    data = ('中,,\n;;;\n' + "9" * 300 + ',SF,SF1\n1,"SF,SF1\n2,SF,SF2\n').encode()
    report = csvfiles.import_shipments(shop["campaign"], shop["staff"], data)
    assert report["shipped"] == 0 and report["refused"] == len(report["lines"]) > 0


def test_export_has_the_address_copy(shop):
    service.ship(shop["confirmed"][0], shop["staff"], "SF", "SF12345678")
    text = "".join(csvfiles.export_lines(shop["campaign"]))
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [int(r["order_id"]) for r in rows] == shop["confirmed"]  # confirmed only
    assert rows[0]["ship_name"] == "李雷" and rows[0]["ship_phone"] == "13812345678"
    assert rows[0]["ship_postal_code"] == "100080" and rows[0]["ship_address"] == "中关村大街1号"
    assert rows[0]["tracking_number"] == "SF12345678" and rows[1]["fulfilment_status"] == ""
    # The export with its columns filled in imports as it is.
    rows[1]["carrier"], rows[1]["tracking_number"] = "EMS", "EE123456789CN"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    report = csvfiles.import_shipments(shop["campaign"], shop["staff"], out.getvalue().encode())
    assert (report["shipped"], report["unchanged"], report["refused"]) == (1, 1, 0)


def test_export_defuses_spreadsheet_formulas(ctx):
    assert csvfiles._safe("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert csvfiles._safe("-1+1") == "'-1+1" and csvfiles._safe("@x") == "'@x"
    assert csvfiles._safe("+442079460958") == "+442079460958" and csvfiles._safe(None) == ""
