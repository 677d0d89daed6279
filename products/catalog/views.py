"""Catalog pages: products by stage, a product with its ideas, co-creators and polls,
joining, poll votes, and the uploaded images."""

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.kernel.errors import DomainError
from community.web.http import page_arg, redirect_next, text_arg
from community.web.pagecache import public_page, replay_on_hit

from ..campaigns import service as campaigns
from ..campaigns import showcase
from ..campaigns.widget import widget_hole
from ..funnel.service import top_sharers as top_referrers_of
from . import catalog, images, participation, polls, views_counter
from .forms import VoteForm
from .page import product_page

bp = Blueprint("catalog", __name__)

PER_STAGE = 12
# The product page's tabs (?tab=, each a page of its own to the cache); the first is the default.
TABS = ("story", "updates", "comments")
# Upload names are random and never reused, so a browser may keep them for good.
UPLOAD_MAX_AGE = 365 * 24 * 3600


@bp.get("/products")
@public_page(members=True)
def index():
    stage = catalog.check_stage(text_arg("stage", None) or None)
    if stage:
        page = catalog.list_products(stage, page_arg(), current_app.config["PER_PAGE"])
        groups, shown = {stage: page.items}, page.items
    else:
        page, groups = None, catalog.catalog_by_stage(PER_STAGE)
        shown = [p for products in groups.values() for p in products]
    ids = [p.id for p in shown]
    return render_template("products/catalog/index.html", groups=groups, page=page, stage=stage,
                           counts=catalog.stage_counts(), per_stage=PER_STAGE,
                           covers=catalog.cover_images(ids), figures=showcase.figures_for(ids))


@bp.get("/products/<slug>")
@public_page(members=True)
def show(slug):
    product = catalog.get_product(slug)
    data = product_page(product)
    views_counter.record(product.id)
    replay_on_hit("product_view", product.id)  # a reader served the stored page counts too
    campaign = campaigns.current_campaign(product.id)
    widget = widget_hole(campaign, "product", product.id) if campaign else None
    tab = text_arg("tab", None)
    return render_template("products/catalog/show.html", product=product, page=data,
                           campaign_widget=widget, referrers=top_referrers_of(product.id),
                           tab=tab if tab in TABS else TABS[0])


@bp.post("/products/<slug>/join")
@login_required
def join(slug):
    product = catalog.get_product(slug)
    try:
        joined = participation.join(product, current_user)
    except DomainError as error:
        flash(error.message, "error")
    else:
        if joined:
            flash(_("You joined %(name)s: you are one of its co-creators.", name=product.name),
                  "success")
        else:
            flash(_("You are already a co-creator of %(name)s.", name=product.name), "info")
    # Back where the button was (a participation thread), if that is a path on this site.
    return redirect_next("catalog.show", slug=product.slug)


@bp.post("/products/<slug>/polls/<int:poll_id>/vote")
@login_required
def vote(slug, poll_id):
    product = catalog.get_product(slug)
    poll = polls.get_poll(product, poll_id)
    form = VoteForm()
    if not form.validate_on_submit():
        flash(_("Pick one of the poll's options."), "error")
    else:
        try:
            voted = polls.vote(poll, current_user, form.option.data)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("Thanks: your vote is in. Results show when the poll closes.") if voted
                  else _("You have voted in this poll already."), "success" if voted else "info")
    return redirect(url_for("catalog.show", slug=product.slug, _anchor=f"poll-{poll.id}"))


@bp.get("/uploads/<name>")
def upload(name):
    data, content_type, url = images.find_upload(name)
    if url is not None:  # the storage serves it (FANFORGE_MEDIA_S3_PUBLIC_URL)
        return redirect(url)
    response = Response(data, mimetype=content_type)
    response.cache_control.max_age = UPLOAD_MAX_AGE
    response.cache_control.public = True
    response.cache_control.immutable = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
