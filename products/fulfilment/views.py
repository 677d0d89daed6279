"""Staff fulfilment of a campaign: counts by step, the export, the shipments upload, and
marking one order by hand."""

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from community.kernel.errors import DomainError
from community.web.http import form_text, page_arg, whole_number
from community.web.roles import staff_required

from . import csvfiles, service

bp = Blueprint("fulfilment", __name__)
PER_PAGE = 50


def _page(campaign_id, report=None, status=200):
    campaign = service.get_campaign(campaign_id)
    number = page_arg()
    orders, has_next = service.orders_page(campaign.id, number, PER_PAGE)
    return render_template("products/fulfilment/campaign.html", campaign=campaign,
                           counts=service.counts(campaign.id), orders=orders, number=number,
                           has_next=has_next, report=report), status


@bp.get("/staff/campaigns/<int:campaign_id>/fulfilment")
@staff_required
def page(campaign_id):
    return _page(campaign_id)


@bp.get("/staff/campaigns/<int:campaign_id>/fulfilment.csv")
@staff_required
def export(campaign_id):
    campaign = service.get_campaign(campaign_id)
    filename = f"campaign-{campaign.id}-fulfilment.csv"
    return Response(stream_with_context(csvfiles.export_lines(campaign.id)),
                    mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={filename}"})


@bp.post("/staff/campaigns/<int:campaign_id>/fulfilment/production")
@staff_required
def production(campaign_id):
    try:
        moved = service.start_production(campaign_id, current_user)
    except DomainError as error:
        if error.status == 404:
            raise
        flash(error.message, "error")
    else:
        flash(_("%(n)d confirmed pre-orders are now in production.", n=moved), "success")
    return redirect(url_for("fulfilment.page", campaign_id=campaign_id))


@bp.post("/staff/campaigns/<int:campaign_id>/fulfilment/import")
@staff_required
def upload(campaign_id):
    service.get_campaign(campaign_id)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Choose a CSV file to upload."), "error")
        return redirect(url_for("fulfilment.page", campaign_id=campaign_id))
    try:
        report = csvfiles.import_shipments(campaign_id, current_user,
                                           upload.read(csvfiles.MAX_BYTES + 1))
    except DomainError as error:
        if error.status == 404:
            raise
        flash(error.message, "error")
        return _page(campaign_id, status=422)
    flash(_("Shipments imported: %(shipped)d marked shipped, %(unchanged)d already were, "
            "%(refused)d refused.", shipped=report["shipped"], unchanged=report["unchanged"],
            refused=report["refused"]), "success" if not report["refused"] else "info")
    return _page(campaign_id, report=report)


@bp.post("/staff/campaigns/<int:campaign_id>/fulfilment/ship")
@staff_required
def ship(campaign_id):
    order_id = whole_number(form_text("order_id", None))
    try:
        if order_id is None:
            raise DomainError(_("Give the order id."), field="order_id")
        _order, changed = service.ship(order_id, current_user, form_text("carrier"),
                                       form_text("tracking_number"), campaign_id=campaign_id)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("Pre-order #%(id)d marked shipped.", id=order_id) if changed else
              _("Pre-order #%(id)d was already shipped with this number.", id=order_id),
              "success")
    return redirect(url_for("fulfilment.page", campaign_id=campaign_id))


@bp.post("/staff/campaigns/<int:campaign_id>/fulfilment/deliver")
@staff_required
def deliver(campaign_id):
    order_id = whole_number(form_text("order_id", None))
    try:
        if order_id is None:
            raise DomainError(_("Give the order id."), field="order_id")
        service.deliver(order_id, current_user, campaign_id=campaign_id)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("Pre-order #%(id)d marked delivered.", id=order_id), "success")
    return redirect(url_for("fulfilment.page", campaign_id=campaign_id))
