"""The staff audit log's page: read-only (there is no route that changes an entry)."""

from flask import Blueprint, render_template

from ..web.http import page_arg
from ..web.roles import staff_required
from . import service

bp = Blueprint("audit", __name__)


@bp.get("/staff/audit")
@staff_required
def log():
    page = service.entries(page_arg(), 50)
    return render_template("community/audit/log.html", page=page, names=service.ACTION_NAMES,
                           user_names=service.user_names(page.items))
