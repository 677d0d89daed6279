"""Staff pages: ideas ready for review and promotion, and running a product
(stage, images, polls, decisions)."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.forum import boards as board_service
from community.kernel.clock import local_to_utc
from community.kernel.errors import DomainError
from community.web.http import apply_error
from community.web.roles import staff_required

from . import catalog, images, participation, polls, promotion, stages
from .forms import (
    DecisionForm,
    GrantForm,
    ImageForm,
    PollForm,
    PromoteForm,
    StageForm,
    ThresholdForm,
)

bp = Blueprint("catalog_staff", __name__, url_prefix="/staff/products")

# Room for the multipart envelope and the other fields around the image.
UPLOAD_OVERHEAD = 64 * 1024


@bp.url_value_preprocessor
def limit_upload_size(endpoint, _values):
    # Runs before any before_request hook (the CSRF check reads the body there), so an
    # oversized upload is refused with a 413 instead of being spooled to disk first.
    if endpoint == "catalog_staff.upload_image":
        request.max_content_length = images.MAX_BYTES + UPLOAD_OVERHEAD


# ---- ready for review and promotion ----------------------------------------

def _ready_page(form, status=200):
    boards = board_service.list_boards()
    ready = promotion.ready_for_review()
    by_board = {board.id: [] for board in boards}
    for idea in ready:
        by_board.setdefault(idea.board_id, []).append(idea)
    limits = promotion.thresholds([board.id for board in boards])
    return render_template(
        "products/catalog/staff/ready.html", boards=boards, by_board=by_board, limits=limits,
        form=form, chosen=set(form.ideas.data or []),
        threshold_forms={b.id: ThresholdForm(formdata=None, threshold=limits[b.id]) for b in boards},
    ), status


@bp.get("/ready")
@staff_required
def ready():
    return _ready_page(PromoteForm(formdata=None))


@bp.post("/boards/<slug>/threshold")
@staff_required
def threshold(slug):
    board = board_service.get_board(slug)
    form = ThresholdForm()
    if form.validate_on_submit():
        try:
            promotion.set_threshold(board, current_user, form.threshold.data)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("%(board)s: ideas with %(n)d votes or more are ready for review.",
                    board=board.name, n=form.threshold.data), "success")
    else:
        flash(_("The threshold is a number of votes from 1 to %(n)d.",
                n=promotion.MAX_THRESHOLD), "error")
    return redirect(url_for("catalog_staff.ready", _anchor=f"board-{board.slug}"))


@bp.post("/promote")
@staff_required
def promote():
    form = PromoteForm()
    if form.validate_on_submit():
        try:
            product = promotion.promote(current_user, form.idea_ids(), form.name.data,
                                        form.slug.data, form.summary.data, form.description.data)
        except DomainError as error:
            apply_error(form, error)
        else:
            flash(_("%(name)s is a product now, with its participation thread.",
                    name=product.name), "success")
            return redirect(url_for("catalog_staff.manage", slug=product.slug))
    return _ready_page(form, 422)


# ---- running a product -----------------------------------------------------

def _manage_page(product, status=200, **forms):
    poll_rows = polls.polls_of(product.id)
    return render_template(
        "products/catalog/staff/manage.html", product=product,
        images=catalog.images_of(product.id), timeline=catalog.timeline(product.id),
        polls=poll_rows, results={p.id: polls.results(p, current_user) for p in poll_rows},
        stage_form=forms.get("stage_form") or StageForm(formdata=None, stage=product.stage),
        image_form=forms.get("image_form") or ImageForm(formdata=None),
        poll_form=forms.get("poll_form") or PollForm(formdata=None),
        decision_form=DecisionForm(formdata=None),
        grant_form=forms.get("grant_form") or GrantForm(formdata=None),
        granted=participation.granted(product.id),
    ), status


@bp.get("/<slug>")
@staff_required
def manage(slug):
    return _manage_page(catalog.get_product(slug))


def _submit(product, form_name, form, action, done):
    """Validate, run the service, and go back to the page or show it with the errors."""
    if form.validate_on_submit():
        try:
            action()
        except DomainError as error:
            apply_error(form, error)
        else:
            flash(done, "success")
            return redirect(url_for("catalog_staff.manage", slug=product.slug))
    return _manage_page(product, 422, **{form_name: form})


@bp.post("/<slug>/stage")
@staff_required
def set_stage(slug):
    product, form = catalog.get_product(slug), StageForm()
    return _submit(product, "stage_form", form,
                   lambda: stages.set_stage(product, current_user, form.stage.data, form.note.data),
                   _("Stage updated."))


@bp.post("/<slug>/images")
@staff_required
def upload_image(slug):
    product, form = catalog.get_product(slug), ImageForm()
    return _submit(product, "image_form", form,
                   lambda: images.save_image(product, form.image.data, current_user),
                   _("Image added."))


@bp.post("/<slug>/images/<int:image_id>/delete")
@staff_required
def remove_image(slug, image_id):
    product = catalog.get_product(slug)
    images.remove_image(product, image_id, current_user)
    flash(_("Image removed."), "success")
    return redirect(url_for("catalog_staff.manage", slug=product.slug))


@bp.post("/<slug>/polls")
@staff_required
def create_poll(slug):
    product, form = catalog.get_product(slug), PollForm()
    return _submit(product, "poll_form", form,
                   lambda: polls.create_poll(product, current_user, form.question.data,
                                             (form.options.data or "").splitlines(),
                                             local_to_utc(form.ends_at.data)),
                   _("Poll opened for the co-creators."))


@bp.post("/<slug>/polls/<int:poll_id>/decision")
@staff_required
def record_decision(slug, poll_id):
    product = catalog.get_product(slug)
    poll = polls.get_poll(product, poll_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        flash(_("Write the decision first."), "error")
    else:
        try:
            polls.record_decision(poll, current_user, form.decision.data)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("Decision recorded."), "success")
    return redirect(url_for("catalog_staff.manage", slug=product.slug, _anchor=f"poll-{poll.id}"))


@bp.post("/<slug>/cocreators")
@staff_required
def grant_cocreator(slug):
    product, form = catalog.get_product(slug), GrantForm()
    name = (form.username.data or "").strip()  # None when the field was not sent
    return _submit(product, "grant_form", form,
                   lambda: participation.grant(product, current_user, name),
                   _("%(name)s is a co-creator now.", name=name))


@bp.post("/<slug>/cocreators/<int:user_id>/revoke")
@staff_required
def revoke_cocreator(slug, user_id):
    product = catalog.get_product(slug)
    try:
        participation.revoke(product, current_user, user_id)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("Co-creation taken back."), "success")
    return redirect(url_for("catalog_staff.manage", slug=product.slug, _anchor="cocreators"))
