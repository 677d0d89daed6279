"""What a pre-order chose: a variant and the texts of the product's text options.

products/orders/service.py asks here before it reserves anything. A product with active
variants needs one of them; a product with none takes none. Texts are keyed by the
option's name or its id (a form posts `personalisation_<id>`), stripped of control
characters (community/kernel/plaintext.py), within each option's length; required ones
must be there. The variant's own cap is the orders service's conditional UPDATE.
"""

import json
from typing import NamedTuple

from flask_babel import gettext as _
from sqlalchemy import bindparam, exists, false, literal_column, select, union_all

from community.kernel.compiled import rows_of
from community.kernel.errors import ValidationError
from community.kernel.plaintext import single_line

from .options import ProductOption, Variant

MAX_KEY = 60  # an option's name or id
MAX_TEXTS = 10
MAX_SENT = 2000  # a text as sent, before it is checked against its option


class Choice(NamedTuple):
    variant_id: int | None = None
    variant_label: str | None = None
    price_delta_cents: int = 0
    personalisation: str | None = None  # JSON {option name: text}, None when there is none

    def unit_price(self, tier_price_cents):
        return unit_price(tier_price_cents, self.price_delta_cents)


def unit_price(tier_price_cents, price_delta_cents):
    """The tier's price and the variant's difference, never below zero."""
    return max(0, tier_price_cents + price_delta_cents)


NONE = Choice()


def check_input(variant_id, personalisation):
    """The shape of what was sent, before anything is read: (variant id, {key: text}).
    Texts are cleaned here, so a retried request digests the same."""
    if variant_id is not None and (not isinstance(variant_id, int) or isinstance(variant_id, bool)):
        raise ValidationError(_("Pick one of the product's variants."), field="variant",
                              code="bad_variant")
    if personalisation is None:
        return variant_id, {}
    if not isinstance(personalisation, dict) or len(personalisation) > MAX_TEXTS or any(
            not isinstance(k, str) or len(k) > MAX_KEY or not isinstance(v, str)
            or len(v) > MAX_SENT for k, v in personalisation.items()):
        raise ValidationError(_("Personalisation is a text for each of the product's text "
                                "options."), field="personalisation", code="bad_personalisation")
    texts = {key.strip(): single_line(text).strip() for key, text in personalisation.items()}
    return variant_id, {key: text for key, text in texts.items() if text}


_PRODUCT, _VARIANT = bindparam("product_id"), bindparam("variant_id")
_ACTIVE = (Variant.product_id == _PRODUCT) & Variant.active.is_(True)
# One statement, built once: the chosen variant if it is the product's and on sale ('v'),
# a row when the product has any variant on sale ('a'), and its text options ('t').
_FACTS = union_all(
    select(literal_column("'v'"), Variant.id, Variant.label, Variant.price_delta_cents, false())
    .where(_ACTIVE, Variant.id == _VARIANT),
    select(literal_column("'a'"), literal_column("0"), literal_column("''"),
           literal_column("0"), false()).where(exists().where(_ACTIVE)),
    select(literal_column("'t'"), ProductOption.id, ProductOption.name, ProductOption.max_length,
           ProductOption.required)
    .where(ProductOption.product_id == _PRODUCT, ProductOption.kind == "text"),
)


def choose(product_id, variant_id, texts):
    """The Choice for an order of the product, from check_input's (variant id, texts).
    Raises ValidationError (code bad_variant or bad_personalisation)."""
    rows = rows_of(_FACTS, product_id=product_id, variant_id=variant_id)
    chosen = next((row for row in rows if row[0] == "v"), None)
    offered = any(row[0] == "a" for row in rows)
    if variant_id is None and offered:
        raise ValidationError(_("Pick one of the product's variants."), field="variant",
                              code="bad_variant")
    if variant_id is not None and chosen is None:
        raise ValidationError(_("That variant is not on sale for this product."),
                              field="variant", code="bad_variant")
    stored = _texts([row for row in rows if row[0] == "t"], texts)
    return Choice(chosen[1] if chosen else None, chosen[2] if chosen else None,
                  chosen[3] if chosen else 0,
                  json.dumps(stored, ensure_ascii=False, sort_keys=True) if stored else None)


def _texts(options, texts):
    """{option name: text} for the text options, checked."""
    stored, left = {}, dict(texts)
    for _kind, option_id, name, max_length, required in options:
        text = left.pop(str(option_id), None)
        named = left.pop(name, None)
        text = text or named
        if text is None:
            if required:
                raise ValidationError(_("Fill in %(name)s.", name=name),
                                      field=f"personalisation_{option_id}",
                                      code="bad_personalisation")
            continue
        if max_length is not None and len(text) > max_length:
            raise ValidationError(_("%(name)s holds %(n)d characters at most.", name=name,
                                    n=max_length), field=f"personalisation_{option_id}",
                                  code="bad_personalisation")
        stored[name] = text
    if left:
        raise ValidationError(_("This product has no text option %(name)s.",
                                name=sorted(left)[0]), field="personalisation",
                              code="bad_personalisation")
    return stored


def texts_of(stored):
    """An order's stored personalisation (JSON text or None) as a dict ({} when none);
    templates have it as the filter `personalisation`."""
    return json.loads(stored) if stored else {}
