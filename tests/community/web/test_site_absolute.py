"""community/web/site.py's absolute(): its shortcut for plain paths answers what urljoin
answers, for every site origin and path, odd ones included."""

import itertools
import random
from urllib.parse import urljoin

import pytest
from flask import Flask

from community.web import site

ORIGINS = ["https://fans.example.test", "http://127.0.0.1:5000", "HTTPS://Fans.Example.Test/x/",
           "https://user@fans.example.test:8443/prefix?q=1", "ftp://files.example.test",
           "fans.example.test"]
PATHS = ["/", "//", "/orders/12", "/orders/12/", "/a//b", "/a/./b", "/a/../b", "/a/..", "/a/.",
         "/.", "/..", "/a.b/c.d", "/a..b", "/.a", "/a.", "/pay/dummy/ch_12-ab~c%20d",
         "/orders/12?x=1", "/orders/12?", "/orders/12#top", "/a;b/c", "/http://evil.example/x",
         "//evil.example/x", "/a:b", "/ünï", "/a b", "/a\\b", "/_x/-y_", "relative/path", ""]


def _joined(origin, path):
    """absolute() as it was: urljoin every time."""
    return urljoin(origin + "/", path.lstrip("/")) if path.startswith("/") else path


@pytest.mark.parametrize("site_url", ORIGINS)
def test_absolute_is_urljoin(site_url):
    app = Flask(__name__)
    app.config["SITE_URL"] = site_url
    alphabet = "ab1_-~%./?#:;"
    generated = ["/" + "".join(random.Random(n).choices(alphabet, k=n % 9 + 1))
                 for n in range(3000)]
    with app.app_context():
        origin = site.site_origin()
        for path in itertools.chain(PATHS, generated):
            assert site.absolute(path) == _joined(origin, path), path
