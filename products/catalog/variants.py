"""Staff shape what buyers choose: options and their values, variants generated from the
choice options' combinations, each variant's cap and price difference. A closed design
poll can seed an option's values in one step; the product page then credits its voters.

Reading (options_of, variants_of) is for every reader alike: the product page and the
campaign widget are shared pages, so nothing here is about who is looking.
"""

import itertools
from typing import NamedTuple

from flask_babel import gettext as _
from sqlalchemy import bindparam, exists, func, select, true, update
from sqlalchemy.exc import IntegrityError

from community.forum.moderation import ensure_staff
from community.kernel.database import transaction
from community.kernel.errors import Conflict, NotFound, ValidationError
from community.kernel.extensions import db
from community.kernel.plaintext import single_line
from community.kernel.reads import rows_of

from .models import Poll
from .options import KINDS, OptionValue, ProductOption, Variant, VariantOnSale, VariantValue

MAX_NAME, MAX_LABEL, MAX_SKU, MAX_VARIANT_LABEL = 60, 120, 40, 200
MAX_OPTIONS, MAX_VALUES, MAX_VARIANTS = 10, 30, 100
MAX_TEXT = 500  # the longest text option a product may ask for
MAX_DELTA = 10_000_000  # a variant's price difference, either way, in minor units
MAX_CAP = 10_000_000


# ---- reading ---------------------------------------------------------------

def options_of(product_id):
    """The product's options with their values and source polls, in order (two queries)."""
    return db.session.scalars(select(ProductOption).where(ProductOption.product_id == product_id)
                              .order_by(ProductOption.position, ProductOption.id)
                              .execution_options(populate_existing=True)).all()


def variants_of(product_id, active_only=False):
    """The product's variants with their values, in order (two queries)."""
    query = select(Variant).where(Variant.product_id == product_id)
    if active_only:
        query = query.where(Variant.active.is_(True))
    return db.session.scalars(query.order_by(Variant.position, Variant.id)
                              .execution_options(populate_existing=True)).all()


class TextOption(NamedTuple):
    """A text the buyer types, as a pre-order form asks for it."""
    id: int
    name: str
    required: bool
    max_length: int | None


# Built once and run on the driver: every campaign widget drawn asks.
_TEXT_OPTIONS = (
    select(ProductOption.id, ProductOption.name, ProductOption.required, ProductOption.max_length)
    .where(ProductOption.product_id == bindparam("product_id"), ProductOption.kind == "text")
    .order_by(ProductOption.position, ProductOption.id))
_ON_SALE = (
    select(Variant.id, Variant.label, Variant.price_delta_cents, Variant.cap_units,
           Variant.reserved_units)
    .where(Variant.product_id == bindparam("product_id"), Variant.active.is_(True))
    .order_by(Variant.position, Variant.id))


def for_buyers(product_id):
    """(TextOptions, VariantOnSales) without their values: what a pre-order form offers
    (two statements built once)."""
    texts = [TextOption(option_id, name, bool(required), max_length) for
             option_id, name, required, max_length in rows_of(_TEXT_OPTIONS, product_id=product_id)]
    return texts, [VariantOnSale(*row) for row in rows_of(_ON_SALE, product_id=product_id)]


def _option(product, option_id, kind=None):
    option = db.session.get(ProductOption, option_id) if isinstance(option_id, int) else None
    if option is None or option.product_id != product.id:
        raise NotFound(_("No such option."))
    if kind is not None and option.kind != kind:
        raise ValidationError(_("Only a choice option has values."), field="option",
                              code="not_a_choice")
    return option


def _value(product, value_id):
    value = db.session.get(OptionValue, value_id) if isinstance(value_id, int) else None
    if value is None or _option(product, value.option_id) is None:
        raise NotFound(_("No such value."))
    return value


def _variant(product, variant_id):
    variant = db.session.get(Variant, variant_id) if isinstance(variant_id, int) else None
    if variant is None or variant.product_id != product.id:
        raise NotFound(_("No such variant."))
    return variant


# ---- checking what staff typed ---------------------------------------------

def _text(value, field, limit, message):
    value = single_line(value or "").strip() if isinstance(value, str) or value is None else None
    if not value or len(value) > limit:
        raise ValidationError(message, field=field)
    return value


def _name(name):
    return _text(name, "name", MAX_NAME,
                 _("Name the option in 1 to %(n)d characters.", n=MAX_NAME))


def _label(label):
    return _text(label, "label", MAX_LABEL,
                 _("Give the value 1 to %(n)d characters.", n=MAX_LABEL))


def _max_length(kind, max_length):
    if kind != "text":
        return None
    if not isinstance(max_length, int) or isinstance(max_length, bool) or \
            not 1 <= max_length <= MAX_TEXT:
        raise ValidationError(_("A text option holds from 1 to %(n)d characters.", n=MAX_TEXT),
                              field="max_length")
    return max_length


def _whole(value, field, low, high, message):
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValidationError(message, field=field)
    return value


def _unique(what, run):
    """Run a write whose unique key may clash: a clash is a Conflict, not a 500."""
    try:
        return run()
    except IntegrityError:
        raise Conflict(_("%(what)s exists already.", what=what), code="duplicate") from None


# ---- options and values ----------------------------------------------------

def add_option(product, actor, name, kind="choice", max_length=None, required=False):
    """A choice option (values follow) or a text option of at most max_length characters."""
    ensure_staff(actor)
    name = _name(name)
    if kind not in KINDS:
        raise ValidationError(_("An option is a choice or a text."), field="kind")
    max_length = _max_length(kind, max_length)

    def run():
        with transaction():
            count = db.session.scalar(select(func.count()).select_from(ProductOption)
                                      .where(ProductOption.product_id == product.id))
            if count >= MAX_OPTIONS:
                raise Conflict(_("A product has %(n)d options at most.", n=MAX_OPTIONS),
                               code="too_many_options")
            option = ProductOption(product_id=product.id, name=name, kind=kind, position=count,
                                   max_length=max_length, required=bool(required))
            db.session.add(option)
            db.session.flush()
        return option
    return _unique(name, run)


def edit_option(product, actor, option_id, name, max_length=None, required=False, position=None):
    ensure_staff(actor)
    option = _option(product, option_id)
    name = _name(name)
    max_length = _max_length(option.kind, max_length)
    position = _whole(position, "position", 0, 1000,
                      _("The position is a whole number from 0 to 1000."))

    def run():
        with transaction():
            found = db.session.get(ProductOption, option.id, populate_existing=True)
            found.name, found.max_length, found.required = name, max_length, bool(required)
            if position is not None:
                found.position = position
        return found
    return _unique(name, run)


def _used(value_ids):
    return db.session.scalar(select(exists().where(VariantValue.option_value_id.in_(value_ids))))


def remove_option(product, actor, option_id):
    """An option no variant is made of (a text option, or a choice not yet generated)."""
    ensure_staff(actor)
    option = _option(product, option_id)
    with transaction():
        ids = [value.id for value in option.values]
        if ids and _used(ids):
            raise Conflict(_("Variants are made of this option's values: deactivate them "
                             "instead."), code="option_in_use")
        db.session.execute(OptionValue.__table__.delete().where(OptionValue.option_id == option.id))
        db.session.execute(ProductOption.__table__.delete().where(ProductOption.id == option.id))


def _add_values(option, labels):
    """The labels the option lacks, appended in order; returns how many were new."""
    have = {value.label.casefold() for value in option.values}
    new = []
    for label in labels:
        if label.casefold() not in have:
            have.add(label.casefold())
            new.append(label)
    if len(option.values) + len(new) > MAX_VALUES:
        raise Conflict(_("An option has %(n)d values at most.", n=MAX_VALUES),
                       code="too_many_values")
    start = max((value.position for value in option.values), default=-1) + 1
    for i, label in enumerate(new):
        option.values.append(OptionValue(option_id=option.id, label=label, position=start + i))
    db.session.flush()
    return len(new)


def add_value(product, actor, option_id, label):
    ensure_staff(actor)
    option = _option(product, option_id, kind="choice")
    label = _label(label)
    with transaction():
        option = db.session.get(ProductOption, option.id, populate_existing=True)
        if not _add_values(option, [label]):
            raise Conflict(_("%(what)s exists already.", what=label), code="duplicate")


def rename_value(product, actor, value_id, label):
    """A new label for a value; variants made of it keep their own label until edited."""
    ensure_staff(actor)
    value = _value(product, value_id)
    label = _label(label)

    def run():
        with transaction():
            found = db.session.get(OptionValue, value.id, populate_existing=True)
            found.label = label
    return _unique(label, run)


def remove_value(product, actor, value_id):
    ensure_staff(actor)
    value = _value(product, value_id)
    with transaction():
        if _used([value.id]):
            raise Conflict(_("Variants are made of this value: deactivate them instead."),
                           code="value_in_use")
        db.session.execute(OptionValue.__table__.delete().where(OptionValue.id == value.id))


def seed_from_poll(product, actor, poll_id, option_id=None):
    """A closed design poll's options become values of a choice option in one step: a new
    option named after the poll's question, or `option_id`'s (labels it has already are
    skipped). The option remembers the poll, and the product page credits its voters."""
    ensure_staff(actor)
    poll = db.session.get(Poll, poll_id) if isinstance(poll_id, int) else None
    if poll is None or poll.product_id != product.id:
        raise NotFound(_("No such poll."))
    if poll.is_open():
        raise Conflict(_("Seed values from a poll once it has closed."), code="poll_open")
    option = _option(product, option_id, kind="choice") if option_id is not None else None
    if option is None:
        option = add_option(product, actor, poll.question[:MAX_NAME], "choice")
    labels = [label.label[:MAX_LABEL] for label in poll.options]
    with transaction():
        option = db.session.get(ProductOption, option.id, populate_existing=True)
        added = _add_values(option, labels)
        option.source_poll_id = poll.id
    return option, added


# ---- variants --------------------------------------------------------------

def _combinations(options):
    choices = [option for option in options if option.kind == "choice"]
    if not choices or any(not option.values for option in choices):
        raise ValidationError(_("Give every choice option at least one value first."),
                              field="options", code="no_values")
    combos = list(itertools.product(*(option.values for option in choices)))
    if len(combos) > MAX_VARIANTS:
        raise Conflict(_("That makes more than %(n)d variants.", n=MAX_VARIANTS),
                       code="too_many_variants")
    return combos


def generate_variants(product, actor):
    """A variant for every combination of the choice options' values that has none yet
    (active, uncapped, no price difference). Returns how many were made."""
    ensure_staff(actor)
    with transaction():
        combos = _combinations(options_of(product.id))
        existing = variants_of(product.id)
        have = {variant.value_ids for variant in existing}
        skus = {variant.sku for variant in existing}
        position = max((variant.position for variant in existing), default=-1) + 1
        made = 0
        for combo in combos:
            ids = frozenset(value.id for value in combo)
            if ids in have:
                continue
            sku = "V" + "-".join(str(value.id) for value in combo)
            while sku in skus:
                sku += "x"
            skus.add(sku)
            variant = Variant(product_id=product.id, sku=sku[:MAX_SKU], position=position,
                              label=" / ".join(value.label for value in combo)[:MAX_VARIANT_LABEL])
            variant.links = [VariantValue(option_value_id=value.id) for value in combo]
            db.session.add(variant)
            position, made = position + 1, made + 1
        db.session.flush()
    return made


def update_variant(product, actor, variant_id, sku, label, price_delta_cents, cap_units, active):
    """A variant's SKU, label, price difference, cap (None: only the campaign's) and whether
    it is on sale. A cap below the units already reserved is refused."""
    ensure_staff(actor)
    variant = _variant(product, variant_id)
    sku = _text(sku, "sku", MAX_SKU, _("Give the SKU 1 to %(n)d characters.", n=MAX_SKU))
    label = _text(label, "label", MAX_VARIANT_LABEL,
                  _("Give the variant 1 to %(n)d characters.", n=MAX_VARIANT_LABEL))
    delta = _whole(price_delta_cents, "price_delta_cents", -MAX_DELTA, MAX_DELTA,
                   _("The price difference is a whole number of cents.")) or 0
    cap = _whole(cap_units, "cap_units", 0, MAX_CAP,
                 _("The cap is a whole number of units, or empty for none."))

    def run():
        with transaction():
            # One conditional statement: an order reserving meanwhile cannot slip under it.
            done = db.session.execute(
                update(Variant).where(Variant.id == variant.id,
                                      true() if cap is None else Variant.reserved_units <= cap)
                .values(sku=sku, label=label, price_delta_cents=delta, cap_units=cap,
                        active=bool(active)).returning(Variant.id)).first()
            if done is None:
                reserved = db.session.scalar(select(Variant.reserved_units)
                                             .where(Variant.id == variant.id))
                raise Conflict(_("%(n)d units of this variant are reserved already: the cap "
                                 "cannot be lower.", n=reserved), code="cap_below_reserved")
        return db.session.get(Variant, variant.id, populate_existing=True)
    return _unique(sku, run)
