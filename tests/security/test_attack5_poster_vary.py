"""attack5: a visitor's "share poster" address (/products/<slug>/poster) answers a redirect
to the poster drawn in the visitor's language (Accept-Language: a zh poster, an en poster),
marked `public, max-age=60` for a cache in front of the site but saying it varies on
Cookie alone. Such a cache gave the first visitor's language to everyone for a minute: a
Chinese poster to English readers and back. Pages say `Vary: Accept-Language, Cookie`."""

from helpers import make_board, make_product, make_user

from products.share import draw


def test_a_visitors_poster_redirect_varies_on_the_language_it_follows(app):
    with app.app_context():
        make_product(make_board("vary5"), make_user("staff5v", role="staff"), slug="vary5")
    client = app.test_client()
    answers = {language: client.get("/products/vary5/poster",
                                    headers={"Accept-Language": language})
               for language in ("zh-CN", "en")}
    for answer in answers.values():
        assert answer.status_code == 302 and "public" in answer.headers["Cache-Control"]
        assert "accept-language" in answer.headers.get("Vary", "").lower()
        assert "cookie" in answer.headers.get("Vary", "").lower()
    with app.app_context():
        drawn_apart = draw.has_cjk_font()
    if drawn_apart:  # with a CJK font the two readers are sent to two posters
        assert answers["zh-CN"].headers["Location"] != answers["en"].headers["Location"]
