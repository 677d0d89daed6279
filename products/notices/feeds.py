"""A product's backer updates as an Atom feed (/feeds/backer-updates/<slug>.atom): the
public ones only, the same for every reader (community/web/feeds.py stores it for visitors)."""

from flask import url_for
from flask_babel import gettext as _

from community.web.feeds import Entry, Feed

from ..catalog.catalog import get_product
from . import service

KIND = "backer-updates"


def backer_updates(slug):
    product = get_product(slug or "")
    # Read as a visitor would: backers-only updates never enter the feed.
    updates = service.updates_of(None, product_id=product.id, limit=30)
    return Feed(_("Backer updates: %(product)s", product=product.name),
                url_for("catalog.show", slug=product.slug),
                [Entry(url_for("notices.update", update_id=u.id), u.title, u.created_at,
                       u.author.username, u.body_html)
                 for u in updates])
