"""Where the site is: the one address its absolute links use, the hosts it answers for and
the path prefix it runs under. None of them is ever taken from what a client sent.

- Absolute links (share links, API `url`s, mail) are FANFORGE_SITE_URL's scheme and host
  plus the path url_for gives: a request for another host, scheme or prefix cannot put
  its own into a page, and so into a page stored for every reader.
- Requests for a host the site does not serve get 400 before anything else runs (Entrance,
  and Flask's TRUSTED_HOSTS behind it): by default
  FANFORGE_SITE_URL's host, and localhost and 127.0.0.1 outside production;
  FANFORGE_TRUSTED_HOSTS (comma-separated, ".example.com" for its subdomains) says
  otherwise.
- The script root (the prefix a proxy mounts the site under) is FANFORGE_SCRIPT_ROOT,
  empty by default. gunicorn sets SCRIPT_NAME from a header of that name when the client
  is an address it trusts (127.0.0.1 by default): Entrance puts the configured one in
  its place, so a client-sent prefix never reaches a link.
"""

import json
import re
from urllib.parse import urljoin, urlsplit

from flask import current_app, url_for
from werkzeug.exceptions import SecurityError
from werkzeug.wsgi import get_host

from .securityheaders import BARE_HEADERS

LOCAL_HOSTS = ("localhost", "127.0.0.1")


_ORIGINS = {}  # SITE_URL -> its origin: parsed once, not for every link
# A path urljoin gives back as it is: segments of characters it leaves alone, none of them
# empty, "." or ".." (which it drops or resolves), no query or fragment.
_PLAIN_PATH = re.compile(r"(?:/[\w~%-]+(?:\.[\w~%-]+)*)+/?", re.ASCII)


def site_origin():
    """FANFORGE_SITE_URL's scheme and host, e.g. "https://fans.example.com"."""
    url = current_app.config["SITE_URL"]
    origin = _ORIGINS.get(url)
    if origin is None:
        parts = urlsplit(url)
        origin = _ORIGINS[url] = f"{parts.scheme}://{parts.netloc}"
    return origin


def absolute(path):
    """A path from url_for (it carries the script root) as a link on the site."""
    if not path.startswith("/"):
        return path
    origin = site_origin()
    # A checkout answers three links: urljoin parses and rebuilds both halves of each.
    if _PLAIN_PATH.fullmatch(path) and origin.startswith(("https://", "http://")):
        return origin + path
    return urljoin(origin + "/", path.lstrip("/"))


def absolute_url(endpoint, **values):
    """url_for(endpoint, **values) as a full link on the site, whoever asked."""
    return absolute(url_for(endpoint, **values))


def trusted_hosts(config):
    """The hosts to answer for: TRUSTED_HOSTS as configured (a list, or one string of
    comma-separated names from the environment) or, outside production, localhost; and
    SITE_URL's host in any case."""
    site = urlsplit(config["SITE_URL"]).hostname or "localhost"
    hosts = config.get("TRUSTED_HOSTS")
    if isinstance(hosts, str):
        hosts = [host.strip() for host in hosts.split(",") if host.strip()]
    if not hosts:
        hosts = list(LOCAL_HOSTS) if config.get("ENV") != "production" else []
    # The site's own host always: mail is drawn in a request on SITE_URL.
    return [site, *(host for host in hosts if host != site)]


def script_root(config):
    """SCRIPT_ROOT as a WSGI SCRIPT_NAME: "" or "/prefix" without a trailing slash."""
    root = (config.get("SCRIPT_ROOT") or "").strip().rstrip("/")
    return "/" + root.lstrip("/") if root else ""


class Entrance:
    """WSGI middleware in front of the app: a host it does not serve gets a short 400
    (before any hook, session or stored page; Flask's own check would fail later, inside
    the error page that builds links), and SCRIPT_NAME is the configured root, whatever
    the client sent.

    A server may have moved a client-sent prefix from PATH_INFO into SCRIPT_NAME; it goes
    back in front of the path, so the request is routed (or not found) as the path it
    asked for. A path under the configured root is served with the root split off."""

    def __init__(self, wsgi_app, root, hosts):
        self.wsgi_app = wsgi_app
        self.root = root
        self.hosts = hosts

    def __call__(self, environ, start_response):
        try:
            get_host(environ, self.hosts)
        except SecurityError:
            return _bad_host(environ, start_response)
        path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        root = self.root
        if root and (path == root or path.startswith(root + "/")):
            path = path[len(root):]
        environ["SCRIPT_NAME"] = root
        environ["PATH_INFO"] = path
        return self.wsgi_app(environ, start_response)


def _bad_host(environ, start_response):
    message = "This site does not answer for that host name."
    if environ.get("PATH_INFO", "").startswith("/api"):
        body = json.dumps({"error": {"code": "bad_host", "message": message}}).encode()
        kind = "application/json"
    else:
        body, kind = message.encode(), "text/plain; charset=utf-8"
    start_response("400 Bad Request", [("Content-Type", kind),
                                       ("Content-Length", str(len(body))),
                                       *BARE_HEADERS])
    return [body]


def init_app(app):
    app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config)
    app.config["SCRIPT_ROOT"] = script_root(app.config)
    app.wsgi_app = Entrance(app.wsgi_app, app.config["SCRIPT_ROOT"], app.config["TRUSTED_HOSTS"])
    app.add_template_global(absolute_url)
    app.add_template_global(absolute)
