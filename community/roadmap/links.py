"""What the roadmap and the changelog show of the store, through a registry the store fills.

community/ never imports products/: the store registers, when the app starts, two loaders:

- products(idea_ids) -> {idea_id: ProductLink}: the product an idea grew into, if any
  (a roadmap card links it);
- cocreators(idea_ids) -> {idea_id: [user_id, ...]}: the fans a release note credits as
  co-creators of the product an idea grew into.

Without the store (or before it registers) ideas have no product and no co-creators.
"""

from typing import NamedTuple

from flask import current_app, url_for

EXTENSION = "fanforge_roadmap_links"


class ProductLink(NamedTuple):
    name: str
    endpoint: str  # the product's page, for url_for (drawn in a request, not when loaded)
    values: dict

    @property
    def path(self):
        """url_for's path: absolute() makes a link of it."""
        return url_for(self.endpoint, **self.values)


def register(app, products=None, cocreators=None):
    found = app.extensions.setdefault(EXTENSION, {})
    if products is not None:
        found["products"] = products
    if cocreators is not None:
        found["cocreators"] = cocreators


def _loader(name):
    return current_app.extensions.get(EXTENSION, {}).get(name)


def products_of(idea_ids):
    load = _loader("products")
    idea_ids = list(idea_ids)
    return load(idea_ids) if load and idea_ids else {}


def cocreators_of(idea_ids):
    load = _loader("cocreators")
    idea_ids = list(idea_ids)
    return load(idea_ids) if load and idea_ids else {}
