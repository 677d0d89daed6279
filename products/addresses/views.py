"""My addresses: the address book's pages (never cached: they are the owner's alone)."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.kernel.errors import DomainError
from community.web.http import apply_error, flash_outcome, next_url

from . import service
from .forms import AddressForm

bp = Blueprint("addresses", __name__)


@bp.get("/me/addresses")
@login_required
def index():
    return render_template("products/addresses/index.html",
                           addresses=service.addresses_of(current_user),
                           limit=service.MAX_ADDRESSES)


def _form_page(form, address=None):
    status = 422 if request.method == "POST" else 200
    return render_template("products/addresses/form.html", form=form,
                           address=address), status


@bp.route("/me/addresses/new", methods=["GET", "POST"])
@login_required
def new():
    form = AddressForm()
    if form.validate_on_submit():
        try:
            service.add_address(current_user, form.values(), make_default=form.is_default.data)
        except DomainError as error:
            apply_error(form, error)
        else:
            flash(_("Address saved."), "success")
            return redirect(next_url("addresses.index"))
    return _form_page(form)


@bp.route("/me/addresses/<int:address_id>/edit", methods=["GET", "POST"])
@login_required
def edit(address_id):
    address = service.get_address(address_id, current_user)
    form = AddressForm(obj=address)
    if form.validate_on_submit():
        try:
            service.update_address(address.id, current_user, form.values(),
                                   make_default=form.is_default.data)
        except DomainError as error:
            apply_error(form, error)
        else:
            flash(_("Address saved. Pre-orders placed before keep the address they had."),
                  "success")
            return redirect(next_url("addresses.index"))
    return _form_page(form, address)


@bp.post("/me/addresses/<int:address_id>/delete")
@login_required
def delete(address_id):
    service.get_address(address_id, current_user)  # 404 before anything else
    flash_outcome(lambda: service.delete_address(address_id, current_user),
                  _("Address deleted."))
    return redirect(url_for("addresses.index"))


@bp.post("/me/addresses/<int:address_id>/default")
@login_required
def make_default(address_id):
    service.get_address(address_id, current_user)
    flash_outcome(lambda: service.set_default(address_id, current_user),
                  _("Default address changed."))
    return redirect(url_for("addresses.index"))
