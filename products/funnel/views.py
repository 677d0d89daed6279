"""The staff funnel dashboard of a product."""

from flask import Blueprint, abort, render_template
from flask_babel import gettext as _
from sqlalchemy import select

from community.kernel.database import utcnow
from community.kernel.extensions import db
from community.web.roles import staff_required

from ..catalog.models import Product
from . import chart, service

bp = Blueprint("funnel", __name__)


@bp.get("/staff/products/<slug>/funnel")
@staff_required
def dashboard(slug):
    product = db.session.scalar(select(Product).where(Product.slug == slug))
    if product is None:
        abort(404)
    series = service.daily(product, utcnow().date())
    return render_template(
        "products/funnel/dashboard.html", product=product, figures=service.funnel(product),
        sharers=service.top_sharers(product.id), series=series,
        chart=chart.line_chart(series, {"votes": _("Votes on origin ideas"),
                                        "units": _("Units pre-ordered")}),
    )
