"""gunicorn's settings for Fanforge, read from the folder gunicorn starts in (options on the
command line win). Production puts nginx in front (deploy/nginx.conf): it takes the
clients, slow ones included, and hands gunicorn whole requests over loopback.

The app's warm-ups (app.extensions["fanforge_warm_ups"]) run before any worker takes a
request: the first search in a new worker loaded jieba's dictionary and the search code,
about a second, on some visitor's request. With --preload they run once, in the master,
and the workers share what they loaded; else in each worker as it starts. Other apps
served from here (bench/'s control) have none.
"""

import gc
import multiprocessing
import os

# nginx on this host is the only client; never reachable from outside by mistake.
bind = "127.0.0.1:8000"
# Sync workers spend their time in Python and the database: gunicorn's 2 x cores + 1
# keeps the cores busy while some wait on PostgreSQL. WEB_CONCURRENCY overrides it.
workers = int(os.environ.get("WEB_CONCURRENCY", 0)) or multiprocessing.cpu_count() * 2 + 1
# Above the app's own limits (a statement is cut at ~30 s and answered with a 503), so a
# slow query ends with an answer, not with gunicorn killing the worker mid-request.
timeout = 60
# On reload or stop, requests in flight get this long to finish before workers are killed.
graceful_timeout = 30
# A worker is replaced after this many requests, so a slow leak (ours or a library's)
# cannot grow for ever; the jitter keeps workers from being replaced all at once.
max_requests = 10000
max_requests_jitter = 1000
# With --threads (gthread), nginx's connection is kept this long between requests; sync
# workers close after each answer and ignore it.
keepalive = 5
# Only nginx on this host may say the request came over HTTPS (X-Forwarded-Proto); set
# FORWARDED_ALLOW_IPS to nginx's address when it runs elsewhere.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# No header may set SCRIPT_NAME or PATH_INFO, not even the proxy's: the app takes its
# prefix from FANFORGE_SCRIPT_ROOT alone, and a client-sent SCRIPT_NAME that gunicorn
# honoured from a trusted address got gunicorn's own 500. Such headers are dropped.
forwarder_headers = ""
# nginx already refuses longer (large_client_header_buffers 4 8k); the same bounds here
# keep a request that bypasses it from costing a worker more than a few kilobytes.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190


def when_ready(server):
    if server.cfg.preload_app:
        _warm_up(server.app.wsgi())


def post_worker_init(worker):
    if not worker.cfg.preload_app:
        _warm_up(worker.wsgi)
    # What the worker has loaded lives as long as it does: frozen, the cyclic collector's
    # full passes stop walking it (a rendered page 6% less CPU on the large seed), and
    # with --preload those pages stay shared with the master instead of being copied.
    gc.collect()
    gc.freeze()


def _warm_up(app):
    warm_ups = getattr(app, "extensions", {}).get("fanforge_warm_ups", ())
    if warm_ups:
        with app.app_context():
            for warm_up in warm_ups:
                warm_up()
