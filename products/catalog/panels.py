"""What the catalog shows on community pages (community/web/panels.py slots): an idea that
became a product says so, and a participation thread carries its product's card."""

from . import catalog


def idea_panel(idea, viewer):
    product = catalog.products_for_ideas([idea.id]).get(idea.id)
    if product is None:
        return None
    return "products/catalog/_idea_panel.html", {"product": product}


def thread_panel(thread, viewer):
    # Only product threads cost a query; every other thread page pays nothing.
    if thread.kind != "product":
        return None
    product = catalog.product_for_thread(thread.id)
    if product is None:
        return None
    # Whether the reader co-creates is a hole of the template (community/web/pagecache/holes.py).
    return "products/catalog/_thread_panel.html", {"product": product, "thread": thread}
