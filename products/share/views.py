"""Share posters: /ideas/<id>/poster and /products/<slug>/poster.

The page links to the plain address, the same for every reader (so the link can be in a
stored page). Asked for, it works out the poster for whoever asks (a signed-in fan's
carries their referral code in its QR code; a visitor's carries none and is everyone's)
and redirects to the poster's content-addressed address, .../poster/<name>.png. That
one never changes, so it is kept for a year (ETag too); the redirect, which moves with
the figures, is kept a minute when it is a visitor's and never when it is a fan's.
A name that is not the current poster of its asker (figures moved since, or someone
else's) redirects back to the plain address.
"""

import io

from flask import Blueprint, redirect, send_file, url_for
from flask_babel import get_locale
from flask_login import current_user

from community.web.site import absolute_url

from ..orders.referrals import code_for
from . import draw, figures, store

bp = Blueprint("posters", __name__)

YEAR = 365 * 24 * 3600
VISITOR_REDIRECT_SECONDS = 60


def _link(endpoint, code, **values):
    """The share link: the object's page on the site, with the sharer's code."""
    return absolute_url(endpoint, **values, **({"ref": code} if code else {}))


def _posters(facts, endpoint, **values):
    """{name: (facts, link, language, personal)} of the posters the asker may be given:
    the visitor's, and a signed-in fan's own."""
    language = draw.drawn_language(get_locale().language)
    found = {}
    codes = [None] + ([code_for(current_user.id)] if current_user.is_authenticated else [])
    for code in codes:
        link = _link(endpoint, code, **values)
        found[store.name_for(facts, link, language)] = (facts, link, language, code is not None)
    return found


def _to_current(posters, file_endpoint, **values):
    """The redirect to the asker's poster (the last of posters: their own when signed in)."""
    name, (*_drawn, personal) = list(posters.items())[-1]
    response = redirect(url_for(file_endpoint, name=name, **values))
    if personal:
        response.headers["Cache-Control"] = "private, no-store"
    else:
        response.headers["Cache-Control"] = f"public, max-age={VISITOR_REDIRECT_SECONDS}"
        # The poster is drawn in the visitor's language (Accept-Language, or a cookie's).
        response.vary.update(("Accept-Language", "Cookie"))
    return response


def _send(posters, name, page_endpoint, **values):
    if name not in posters:
        return redirect(url_for(page_endpoint, **values))
    facts, link, language, personal = posters[name]
    data, name = store.poster(facts, link, language)
    response = send_file(io.BytesIO(data), mimetype="image/png", etag=name[:-4],
                         conditional=True, max_age=YEAR, last_modified=None)
    response.cache_control.immutable = True
    if personal:  # send_file made it public
        response.cache_control.public = False
        response.cache_control.private = True
    return response


@bp.get("/ideas/<int:idea_id>/poster")
def idea(idea_id):
    posters = _posters(figures.idea_facts(idea_id), "ideas.show", idea_id=idea_id)
    return _to_current(posters, "posters.idea_file", idea_id=idea_id)


@bp.get("/ideas/<int:idea_id>/poster/<name>")
def idea_file(idea_id, name):
    posters = _posters(figures.idea_facts(idea_id), "ideas.show", idea_id=idea_id)
    return _send(posters, name, "posters.idea", idea_id=idea_id)


@bp.get("/products/<slug>/poster")
def product(slug):
    posters = _posters(figures.product_facts(slug), "catalog.show", slug=slug)
    return _to_current(posters, "posters.product_file", slug=slug)


@bp.get("/products/<slug>/poster/<name>")
def product_file(slug, name):
    posters = _posters(figures.product_facts(slug), "catalog.show", slug=slug)
    return _send(posters, name, "posters.product", slug=slug)
