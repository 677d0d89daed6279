"""Flask's signed cookie session, with its signing serializer built once per set of keys:
Flask builds one for every request (some 45 Python calls), API requests included,
which never read the cookie."""

from flask.sessions import SecureCookieSessionInterface

_KEPT = 8  # sets of keys remembered (tests build apps with their own)


class CookieSessions(SecureCookieSessionInterface):
    def __init__(self):
        self._serializers = {}

    def get_signing_serializer(self, app):
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        found = self._serializers.get(keys)
        if found is None:
            found = super().get_signing_serializer(app)
            if len(self._serializers) >= _KEPT:
                self._serializers.clear()
            self._serializers[keys] = found
        return found
