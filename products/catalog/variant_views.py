"""Staff pages for what buyers choose: options and values, variants, seeding from polls.
Thin: each post runs one service of variants.py, flashes its outcome and goes back."""

import re

from flask import Blueprint, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from community.kernel.errors import ValidationError
from community.web.http import flash_outcome, form_text, whole_number
from community.web.roles import staff_required

from . import catalog, polls, variants
from .options import KINDS

bp = Blueprint("catalog_variants", __name__, url_prefix="/staff/products")

_SIGNED = re.compile(r"-?[0-9]{1,9}")


def _number(name, message, signed=False):
    """A posted whole number, None when left empty; anything else a ValidationError."""
    raw = form_text(name).strip()
    if not raw:
        return None
    if not (_SIGNED if signed else re.compile(r"[0-9]{1,9}")).fullmatch(raw):
        raise ValidationError(message, field=name)
    return int(raw)


def _checked(name):
    return form_text(name) in ("1", "y", "on", "true")


def _back(product, anchor=None):
    return redirect(url_for("catalog_variants.manage", slug=product.slug, _anchor=anchor))


@bp.get("/<slug>/variants")
@staff_required
def manage(slug):
    product = catalog.get_product(slug)
    closed = [poll for poll in polls.polls_of(product.id) if not poll.is_open()]
    return render_template("products/catalog/staff/variants.html", product=product,
                           options=variants.options_of(product.id),
                           variants=variants.variants_of(product.id), polls=closed, kinds=KINDS,
                           max_text=variants.MAX_TEXT)


@bp.post("/<slug>/options")
@staff_required
def add_option(slug):
    product = catalog.get_product(slug)

    def run():
        kind = form_text("kind", "choice")
        length = _number("max_length", _("The length is a whole number.")) if kind == "text" else None
        return variants.add_option(product, current_user, form_text("name"), kind, length,
                                   _checked("required"))
    flash_outcome(run, lambda option: _("Option %(name)s added.", name=option.name))
    return _back(product, "options")


@bp.post("/<slug>/options/<int:option_id>")
@staff_required
def edit_option(slug, option_id):
    product = catalog.get_product(slug)

    def run():
        return variants.edit_option(
            product, current_user, option_id, form_text("name"),
            _number("max_length", _("The length is a whole number.")), _checked("required"),
            _number("position", _("The position is a whole number.")))
    flash_outcome(run, _("Option saved."))
    return _back(product, f"option-{option_id}")


@bp.post("/<slug>/options/<int:option_id>/delete")
@staff_required
def remove_option(slug, option_id):
    product = catalog.get_product(slug)
    flash_outcome(lambda: variants.remove_option(product, current_user, option_id),
                  _("Option removed."))
    return _back(product, "options")


@bp.post("/<slug>/options/<int:option_id>/values")
@staff_required
def add_value(slug, option_id):
    product = catalog.get_product(slug)
    flash_outcome(lambda: variants.add_value(product, current_user, option_id,
                                             form_text("label")), _("Value added."))
    return _back(product, f"option-{option_id}")


@bp.post("/<slug>/values/<int:value_id>")
@staff_required
def rename_value(slug, value_id):
    product = catalog.get_product(slug)
    flash_outcome(lambda: variants.rename_value(product, current_user, value_id,
                                                form_text("label")), _("Value renamed."))
    return _back(product, "options")


@bp.post("/<slug>/values/<int:value_id>/delete")
@staff_required
def remove_value(slug, value_id):
    product = catalog.get_product(slug)
    flash_outcome(lambda: variants.remove_value(product, current_user, value_id),
                  _("Value removed."))
    return _back(product, "options")


@bp.post("/<slug>/polls/<int:poll_id>/seed")
@staff_required
def seed(slug, poll_id):
    product = catalog.get_product(slug)
    option_id = whole_number(form_text("option", None))
    flash_outcome(lambda: variants.seed_from_poll(product, current_user, poll_id, option_id),
                  lambda done: ngettext("%(name)s: %(num)d value from the poll.",
                                        "%(name)s: %(num)d values from the poll.",
                                        done[1], name=done[0].name))
    return _back(product, "options")


@bp.post("/<slug>/variants/generate")
@staff_required
def generate(slug):
    product = catalog.get_product(slug)
    flash_outcome(lambda: variants.generate_variants(product, current_user),
                  lambda made: ngettext("%(num)d variant made.", "%(num)d variants made.", made))
    return _back(product, "variants")


@bp.post("/<slug>/variants/<int:variant_id>")
@staff_required
def update_variant(slug, variant_id):
    product = catalog.get_product(slug)

    def run():
        return variants.update_variant(
            product, current_user, variant_id, form_text("sku"), form_text("label"),
            _number("price_delta_cents", _("The price difference is a whole number of cents."),
                    signed=True),
            _number("cap_units", _("The cap is a whole number of units, or empty for none.")),
            _checked("active"))
    flash_outcome(run, _("Variant saved."))
    return _back(product, f"variant-{variant_id}")
