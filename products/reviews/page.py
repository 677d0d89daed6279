"""The reviews and questions on the product page: a template global the page calls
(catalog never imports this package). What it draws is the same for every reader; what is
a reader's own is left as holes (the predicates in wiring.py)."""

from flask import render_template
from markupsafe import Markup

from . import questions, service

REVIEWS_SHOWN = 3
QUESTIONS_SHOWN = 5


def product_reviews(product):
    reviews = service.reviews_of(product.id, "helpful", 1, REVIEWS_SHOWN).items
    # bandit B704, reviewed: the output of an autoescaped template, placed in another.
    return Markup(render_template(  # nosec B704
        "products/reviews/_section.html", product=product, summary=service.summary(product.id),
        reviews=reviews, photos=service.photos_of(reviews),
        questions=questions.questions_of(product.id, 1, QUESTIONS_SHOWN).items))
