"""Products in the community's search: the store registers its kind, the community never
imports the store. A product's document is its name, summary and description."""

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from community import search
from community.kernel.extensions import db

from . import signals
from .models import Product


def load_products(ids):
    rows = db.session.execute(
        select(Product.id, Product.slug, Product.name, Product.summary, Product.description_html,
               Product.board_id, Product.created_at, Product.stage)
        .where(Product.id.in_(ids))
    ).all()
    return {r.id: search.Doc("product", r.id, r.name,
                             f"{r.summary}\n{search.html_text(r.description_html)}".strip(),
                             r.board_id, r.created_at, extra={"slug": r.slug, "stage": r.stage})
            for r in rows}


def product_url(doc):
    return url_for("catalog.show", slug=doc.extra["slug"])


def on_product_changed(product, **_):
    # Inside the catalog's transaction: the outbox row commits or rolls back with it.
    # A product edit use case, when there is one, sends a signal connected here too.
    search.enqueue("product", [product.id])


def init_app(app):
    search.register_kind("product", _l("Products"), load_products, lambda: select(Product.id),
                         product_url)
    signals.product_created.connect(on_product_changed)
