import pytest
from helpers import make_campaign, make_user
from sqlalchemy import func, select, update

from community.kernel.database import transaction
from community.kernel.errors import Conflict, NotFound, ValidationError
from community.kernel.extensions import db
from products.addresses import service as addresses
from products.addresses.models import Address
from products.orders import service as orders
from products.orders.models import Order

HOME = {"recipient": "李雷", "phone": "+86 138-1234-5678", "country": "CN", "region": "北京市",
        "city": "北京", "district": "海淀区", "street": "中关村大街1号", "postal_code": "100080"}
ABROAD = {"recipient": "Jane Doe", "phone": "+44 20 7946 0958", "country": "gb",
          "region": "England", "city": "London", "street": "221B Baker Street",
          "postal_code": "nw1 6xe"}


def test_a_chinese_address_is_normalised(ctx):
    address = addresses.add_address(make_user(), HOME)
    assert address.phone == "13812345678" and address.country == "CN" and address.is_default
    assert address.lines() == ["北京市 北京", "海淀区", "中关村大街1号", "100080"]


def test_an_international_address(ctx):
    address = addresses.add_address(make_user(), ABROAD)
    assert (address.country, address.phone, address.postal_code) == ("GB", "+442079460958",
                                                                      "NW1 6XE")
    assert address.lines()[-1] == "GB" and address.lines()[0] == "221B Baker Street"


@pytest.mark.parametrize(("change", "field", "code"), [
    ({"phone": "12345678901"}, "phone", "bad_phone"),  # 12... is no Chinese mobile
    ({"phone": "1381234567"}, "phone", "bad_phone"),  # 10 digits
    ({"phone": "+1 138 1234 5678"}, "phone", "bad_phone"),
    ({"postal_code": "10008"}, "postal_code", "bad_postal_code"),
    ({"postal_code": "10008A"}, "postal_code", "bad_postal_code"),
    ({"recipient": "  "}, "recipient", "required"),
    ({"street": ""}, "street", "required"),
    ({"street": "x" * 201}, "street", "too_long"),
    ({"country": "XX"}, "country", "bad_country"),
    ({"country": "EU"}, "country", "bad_country"),
])
def test_bad_chinese_addresses_name_the_field(ctx, change, field, code):
    with pytest.raises(ValidationError) as caught:
        addresses.clean({**HOME, **change})
    assert (caught.value.field, caught.value.code) == (field, code)


@pytest.mark.parametrize(("change", "field"), [
    ({"phone": "020 7946"}, "phone"),  # too few digits
    ({"phone": "+44 20 7946 0958 0000 00"}, "phone"),  # too many
    ({"phone": "call me"}, "phone"),
    ({"postal_code": "NW1 <6XE>"}, "postal_code"),
    ({"postal_code": "1" * 17}, "postal_code"),
])
def test_bad_international_addresses_name_the_field(ctx, change, field):
    with pytest.raises(ValidationError) as caught:
        addresses.clean({**ABROAD, **change})
    assert caught.value.field == field


def test_a_us_number_and_no_postal_code_are_fine_abroad(ctx):
    values = addresses.clean({**ABROAD, "country": "US", "phone": "(212) 555-0123",
                              "postal_code": ""})
    assert values["phone"] == "2125550123" and values["postal_code"] is None


def test_one_default_and_the_book_is_bounded(ctx):
    owner = make_user()
    first = addresses.add_address(owner, HOME)
    second = addresses.add_address(owner, ABROAD, make_default=True)
    assert [a.id for a in addresses.addresses_of(owner)] == [second.id, first.id]
    addresses.set_default(first.id, owner)
    assert addresses.default_address(owner).id == first.id
    addresses.delete_address(first.id, owner)
    assert addresses.default_address(owner).id == second.id  # the default moves on
    for _n in range(addresses.MAX_ADDRESSES - 1):
        addresses.add_address(owner, HOME)
    with pytest.raises(Conflict) as caught:
        addresses.add_address(owner, HOME)
    assert caught.value.code == "address_book_full"
    assert db.session.scalar(select(func.count()).select_from(Address)) == addresses.MAX_ADDRESSES
    assert db.session.scalar(select(func.count()).select_from(Address)
                             .where(Address.is_default)) == 1


def test_someone_elses_address_does_not_exist_for_them_staff_included(ctx):
    owner, other, staff = make_user(), make_user(), make_user(role="staff")
    address = addresses.add_address(owner, HOME)
    for person in (other, staff):
        for action in (lambda p: addresses.get_address(address.id, p),
                       lambda p: addresses.update_address(address.id, p, {"city": "上海"}),
                       lambda p: addresses.delete_address(address.id, p),
                       lambda p: addresses.set_default(address.id, p)):
            with pytest.raises(NotFound):
                action(person)
    assert db.session.get(Address, address.id, populate_existing=True).city == "北京"


def _order(buyer, campaign=None):
    campaign = campaign or make_campaign()
    order, _created = orders.place_order(campaign.id, buyer, campaign.tiers[0].id, 1, "k")
    return order


def test_the_order_keeps_a_copy_not_a_reference(ctx):
    buyer = make_user()
    address = addresses.add_address(buyer, HOME)
    order = _order(buyer)
    with transaction():
        addresses.copy_to_order(order, buyer, address.id)
    addresses.update_address(address.id, buyer, {"street": "长安街2号", "recipient": "韩梅梅"})
    addresses.delete_address(address.id, buyer)
    order = db.session.get(Order, order.id, populate_existing=True)
    assert (order.ship_name, order.ship_phone, order.ship_country) == ("李雷", "13812345678", "CN")
    assert order.ship_address == "海淀区\n中关村大街1号" and order.ship_postal_code == "100080"
    assert addresses.order_address_lines(order) == ["北京市 北京", "海淀区", "中关村大街1号",
                                                    "100080"]


def test_copy_refuses_another_buyers_address_or_order_and_a_shipped_order(ctx):
    buyer, other = make_user(), make_user()
    mine, theirs = addresses.add_address(buyer, HOME), addresses.add_address(other, ABROAD)
    order = _order(buyer)
    with pytest.raises(NotFound), transaction():
        addresses.copy_to_order(order, buyer, theirs.id)
    with pytest.raises(NotFound), transaction():
        addresses.copy_to_order(order, other, theirs.id)  # not their order
    with transaction():
        db.session.execute(update(Order).where(Order.id == order.id).values(
            state="confirmed", fulfilment_status="shipped", carrier="SF", tracking_number="SF1234"))
    with pytest.raises(Conflict) as caught, transaction():
        addresses.copy_to_order(order, buyer, mine.id)
    assert caught.value.code == "address_locked"
    assert db.session.get(Order, order.id, populate_existing=True).ship_name is None


def test_the_shipping_copy_read_as_a_plain_row_is_the_owners_alone(ctx):
    owner, other = make_user(), make_user()
    address = addresses.add_address(owner, {**HOME, "street2": "3号楼"})
    copy = addresses.shipping_copy(address.id, owner)
    assert copy == addresses.ship_to(addresses.get_address(address.id, owner))
    assert copy["ship_address"] == "海淀区\n中关村大街1号\n3号楼"
    for stranger, address_id in ((other, address.id), (owner, address.id + 1), (owner, "1"),
                                 (None, address.id)):
        with pytest.raises(NotFound):
            addresses.shipping_copy(address_id, stranger)
