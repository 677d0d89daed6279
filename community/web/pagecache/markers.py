"""The marks a shared page leaves to be filled per response, which no reader can write.

A stored page (community/web/pagecache/serving.py) is one text for many readers: their CSRF token, a
form's once-only token, the page the header's forms return to and their holes
(community/web/pagecache/holes.py) are marks in it, replaced in every response. If a reader could
write a mark (in a reply, a title, a user name) it would be filled in that text too: an
image URL with the CSRF placeholder in a reply would send every reader's token away.

So every mark carries a nonce nobody outside the server knows: an HMAC of the secret key.
It is the same in every worker and on every host of a deployment (they share stored
pages, and a page drawn by one is filled by another) and never leaves the server, since
every response is filled before it is sent. A new secret key gives new marks, and the
cache key holds `Markers.id`, so no page drawn with other marks is ever served.
"""

import hashlib
import hmac
import re

from flask import current_app

EXTENSION = "fanforge_page_markers"


class Markers:
    def __init__(self, secret):
        key = secret if isinstance(secret, bytes) else str(secret).encode()
        nonce = hmac.new(key, b"fanforge page markers", hashlib.sha256).hexdigest()[:32]
        self.id = nonce[:8]
        # In every mark below: a response holding it still has marks to fill.
        self.nonce_bytes = f"ff{nonce}".encode()
        self.csrf = f"__ff{nonce}-csrf__"
        self.csrf_bytes = self.csrf.encode()
        self.submit = f"__ff{nonce}-submit__"
        self.submit_bytes = self.submit.encode()
        self.submit_pattern = re.compile(re.escape(self.submit_bytes))
        self.next = f"__ff{nonce}-next__"
        # Holes: <!--ff<nonce>:r:name:arg--> and <!--ff<nonce>:if:...-->, see holes.py.
        self.opening = f"<!--ff{nonce}:"
        self.opening_bytes = self.opening.encode()


def markers(app=None):
    return (app or current_app).extensions[EXTENSION]


def init_app(app):
    app.extensions[EXTENSION] = Markers(app.config["SECRET_KEY"])
