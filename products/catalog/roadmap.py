"""What the community's roadmap and release notes show of the store (community/roadmap/
links.py): the product each idea grew into, and that product's co-creators."""

from sqlalchemy import select

from community.kernel.extensions import db
from community.roadmap.links import ProductLink

from . import cocreation
from .models import Product, ProductIdea


def products_of(idea_ids):
    """{idea_id: ProductLink} for the ideas that grew into a product (one query)."""
    rows = db.session.execute(
        select(ProductIdea.idea_id, Product.name, Product.slug)
        .join(Product, Product.id == ProductIdea.product_id)
        .where(ProductIdea.idea_id.in_(list(idea_ids))))
    return {idea_id: ProductLink(name, "catalog.show", {"slug": slug})
            for idea_id, name, slug in rows}


def cocreators_of(idea_ids):
    """{idea_id: [user_id, ...]}: the co-creators who hold their rights now, of the
    product each idea grew into (a release note credits them)."""
    found = {}
    for idea_id, product_id in db.session.execute(
            select(ProductIdea.idea_id, ProductIdea.product_id)
            .where(ProductIdea.idea_id.in_(list(idea_ids)))):
        found[idea_id] = sorted(cocreation.qualifying(product_id))
    return found
