"""The desk's page."""

from flask import Blueprint, render_template

from community.kernel.database import utcnow
from community.web.http import page_arg
from community.web.roles import staff_required

from . import overview

bp = Blueprint("store_desk", __name__)


@bp.get("/staff/products")
@staff_required
def index():
    products, campaigns = overview.products_with_campaigns(page_arg())
    return render_template("products/desk/index.html", products=products,
                           campaigns=campaigns, now=utcnow())
