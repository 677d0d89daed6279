"""gunicorn's settings for Fanforge, read from the folder gunicorn starts in.

The app's warm-ups (app.extensions["fanforge_warm_ups"]) run before any worker takes a
request: the first search in a new worker loaded jieba's dictionary and the search code,
about a second, on some visitor's request. With --preload they run once, in the master,
and the workers share what they loaded; else in each worker as it starts. Other apps
served from here (bench/'s control) have none.
"""


def when_ready(server):
    if server.cfg.preload_app:
        _warm_up(server.app.wsgi())


def post_worker_init(worker):
    if not worker.cfg.preload_app:
        _warm_up(worker.wsgi)


def _warm_up(app):
    warm_ups = getattr(app, "extensions", {}).get("fanforge_warm_ups", ())
    if warm_ups:
        with app.app_context():
            for warm_up in warm_ups:
                warm_up()
