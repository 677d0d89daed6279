"""From idea to product: board thresholds, the staff review list, and promotion."""

import re

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload

from community.forum import service as forum
from community.forum.models import Thread
from community.forum.moderation import ensure_staff
from community.ideas.models import Idea
from community.kernel import slugs
from community.kernel.database import insert_ignore, transaction, utcnow
from community.kernel.errors import Conflict, ValidationError
from community.kernel.extensions import db
from community.web.markdown import render

from . import signals
from .models import BoardSettings, CoCreator, Product, ProductIdea
from .stages import open_timeline

DEFAULT_THRESHOLD = 50
MAX_THRESHOLD = 1_000_000
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
# Staff pages live beside /staff/products/<slug>: no product may take their names.
RESERVED_SLUGS = frozenset({"ready", "promote", "new"})
MAX_NAME, MAX_SUMMARY, MAX_DESCRIPTION = 100, 300, 50_000
MAX_IDEAS = 100
NOT_READY = ("merged", "declined")


# ---- thresholds ------------------------------------------------------------

def threshold_of(board_id):
    return thresholds([board_id])[board_id]


def thresholds(board_ids):
    """{board_id: votes an idea needs to be reviewed}, in one query."""
    board_ids = list(board_ids)
    found = dict(db.session.execute(
        select(BoardSettings.board_id, BoardSettings.promotion_threshold)
        .where(BoardSettings.board_id.in_(board_ids))).all()) if board_ids else {}
    return {board_id: found.get(board_id, DEFAULT_THRESHOLD) for board_id in board_ids}


def set_threshold(board, actor, votes):
    ensure_staff(actor)
    try:
        votes = int(votes)
    except (TypeError, ValueError):
        votes = 0
    if not 1 <= votes <= MAX_THRESHOLD:
        raise ValidationError(_("The threshold is a number of votes from 1 to %(n)d.",
                                n=MAX_THRESHOLD), field="threshold")
    with transaction():
        if not insert_ignore(BoardSettings, board_id=board.id, promotion_threshold=votes):
            db.session.execute(update(BoardSettings).where(BoardSettings.board_id == board.id)
                               .values(promotion_threshold=votes))
    return votes


def ready_for_review(board_id=None, limit=200):
    """Ideas at or past their board's threshold that no product has taken yet, most
    voted first: one query, whatever the number of boards."""
    needed = func.coalesce(BoardSettings.promotion_threshold, DEFAULT_THRESHOLD)
    # The lowest threshold anywhere bounds the scan of the votes index from below.
    lowest = func.coalesce(select(func.min(BoardSettings.promotion_threshold)).scalar_subquery(),
                           DEFAULT_THRESHOLD)
    floor = case((lowest < DEFAULT_THRESHOLD, lowest), else_=DEFAULT_THRESHOLD)
    promoted = select(ProductIdea.idea_id).where(ProductIdea.idea_id == Idea.id).exists()
    stmt = (
        select(Idea)
        .outerjoin(BoardSettings, BoardSettings.board_id == Idea.board_id)
        .join(Thread, Thread.id == Idea.thread_id)
        .where(Idea.votes >= floor, Idea.votes >= needed, Idea.status.not_in(NOT_READY),
               ~promoted, Thread.hidden.is_(False))
        .options(lazyload(Idea.tags))
        .order_by(Idea.votes.desc(), Idea.id.desc())
        .limit(limit)
    )
    if board_id is not None:
        stmt = stmt.where(Idea.board_id == board_id)
    return db.session.scalars(stmt).all()


# ---- promotion -------------------------------------------------------------

def check_product_fields(name, slug, summary, description):
    name, slug = (name or "").strip(), (slug or "").strip()
    summary, description = (summary or "").strip(), (description or "").strip()
    if not name or len(name) > MAX_NAME:
        raise ValidationError(_("Give the product a name of at most %(n)d characters.",
                                n=MAX_NAME), field="name")
    if not SLUG_RE.match(slug) or slug in RESERVED_SLUGS:
        raise ValidationError(
            _("Use lower-case letters, digits and '-' for the slug (at most 64)."), field="slug")
    if not summary or len(summary) > MAX_SUMMARY:
        raise ValidationError(_("Write a summary of at most %(n)d characters.", n=MAX_SUMMARY),
                              field="summary")
    if len(description) > MAX_DESCRIPTION:
        raise ValidationError(_("Keep the description under %(n)d characters.",
                                n=MAX_DESCRIPTION), field="description")
    return {"name": name, "slug": slug, "summary": summary, "description": description}


def check_idea_ids(idea_ids):
    try:
        ids = list(dict.fromkeys(int(i) for i in idea_ids or ()))
    except (TypeError, ValueError):
        raise ValidationError(_("Ideas are given by their numbers."), field="ideas") from None
    if not ids:
        raise ValidationError(_("Pick at least one idea."), field="ideas")
    if len(ids) > MAX_IDEAS:
        raise ValidationError(_("Pick at most %(n)d ideas.", n=MAX_IDEAS), field="ideas")
    return ids


def promote(actor, idea_ids, name, slug, summary, description="", board_id=None):
    """Staff turn one or more ideas of one board into a product, in stage "concept".

    One transaction: the product, its participation thread (a listed forum thread in
    the ideas' board), the links to its ideas, its proposers as co-creators and the
    first timeline entry. `board_id`, when given, must be the ideas' board.
    """
    ensure_staff(actor)
    return slugs.create_with_slug(
        slug, name, Product.slug,
        lambda made: _promote(actor, idea_ids, name, made, summary, description, board_id),
        reserved=RESERVED_SLUGS)


def _promote(actor, idea_ids, name, slug, summary, description, board_id):
    fields = check_product_fields(name, slug, summary, description)
    ids = check_idea_ids(idea_ids)
    try:
        with transaction():
            ideas = _promotable(ids, board_id)
            if db.session.scalar(select(Product.id).where(Product.slug == fields["slug"])):
                raise ValidationError(_("A product with that slug exists."), field="slug",
                                      code=slugs.SLUG_TAKEN)
            product = _create(actor, ideas, fields)
    except IntegrityError:
        # A promotion running at the same moment took the slug or one of the ideas.
        if db.session.scalar(select(Product.id).where(Product.slug == fields["slug"])):
            raise ValidationError(_("A product with that slug exists."), field="slug",
                                  code=slugs.SLUG_TAKEN) from None
        raise Conflict(_("One of these ideas has just become a product."), field="ideas",
                       code="already_promoted") from None
    db.session.refresh(product)
    return product


def _promotable(ids, board_id):
    ideas = db.session.scalars(
        select(Idea).where(Idea.id.in_(ids)).options(lazyload(Idea.tags))
        .order_by(Idea.votes.desc(), Idea.id)
    ).all()
    missing = sorted(set(ids) - {idea.id for idea in ideas})
    if missing:
        raise ValidationError(_("No such idea: %(ids)s.", ids=", ".join(f"#{i}" for i in missing)),
                              field="ideas", code="unknown_idea")
    boards = {idea.board_id for idea in ideas}
    if len(boards) > 1:
        raise ValidationError(_("All the ideas of a product must be on one board."),
                              field="ideas", code="mixed_boards")
    if board_id is not None and boards != {board_id}:
        raise ValidationError(_("These ideas are not on that board."), field="board",
                              code="wrong_board")
    merged = [idea.id for idea in ideas if idea.status == "merged"]
    if merged:
        raise Conflict(_("Merged ideas live on in another idea; pick that one: %(ids)s.",
                         ids=", ".join(f"#{i}" for i in merged)), field="ideas", code="idea_merged")
    taken = sorted(db.session.scalars(select(ProductIdea.idea_id).where(ProductIdea.idea_id.in_(ids))))
    if taken:
        raise Conflict(_("Already part of a product: %(ids)s.", ids=", ".join(f"#{i}" for i in taken)),
                       field="ideas", code="already_promoted")
    return ideas


def _create(actor, ideas, fields):
    board_id = ideas[0].board_id
    thread = forum.add_thread(board_id, actor, fields["name"], _intro(fields["summary"], ideas),
                              kind="product", listed=True)
    now = utcnow()
    product = Product(board_id=board_id, thread_id=thread.id, stage="concept",
                      created_by_id=actor.id, created_at=now, stage_changed_at=now,
                      description_html=render(fields["description"]), **fields)
    db.session.add(product)
    db.session.flush()
    db.session.add_all(ProductIdea(product_id=product.id, idea_id=idea.id) for idea in ideas)
    db.session.add_all(
        CoCreator(product_id=product.id, user_id=user_id, source="proposer", created_at=now)
        for user_id in dict.fromkeys(idea.author_id for idea in ideas))
    db.session.flush()
    db.session.execute(update(Product).where(Product.id == product.id).values(
        cocreator_count=select(func.count()).where(CoCreator.product_id == product.id)
        .scalar_subquery()))
    open_timeline(product, actor)
    signals.product_created.send(product, ideas=ideas, actor=actor)
    return product


def _link_text(text):
    """Idea titles inside Markdown link text: their brackets and emphasis stay literal."""
    return re.sub(r"([\\`*_\[\]<>])", r"\\\1", text)


def _intro(summary, ideas):
    """The participation thread's opening post: what the product is and where it came from."""
    lines = [summary, "", _("This product grew from these ideas:"), ""]
    for idea in ideas:
        votes = ngettext("%(num)d vote", "%(num)d votes", idea.votes)
        # A site path rather than url_for: a service may run without a request (CLI, API jobs).
        lines.append(f"- [#{idea.id} {_link_text(idea.title)}](/ideas/{idea.id}) · {votes}")
    lines += ["", _("Join the product to be credited as a co-creator and to vote on its design.")]
    return "\n".join(lines)
