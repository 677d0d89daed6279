"""Payment providers by name: FANFORGE_PAYMENTS_PROVIDER chooses the one checkout uses;
a payment keeps the name of the provider that took it, so webhooks, refunds and lookups
go to that one even after the setting changes."""

import hashlib
import hmac

from flask import current_app

from . import dummy, stripe_provider, wechatpay_provider

FACTORIES = {"dummy": dummy.from_config, "stripe": stripe_provider.StripeProvider.from_config,
             "wechatpay": wechatpay_provider.WeChatPayProvider.from_config}
_EXTENSION = "fanforge_payment_providers"


def init_app(app):
    name = app.config["PAYMENTS_PROVIDER"]
    if name not in FACTORIES:
        raise RuntimeError(f"FANFORGE_PAYMENTS_PROVIDER must be one of {', '.join(FACTORIES)}, "
                           f"not {name!r}")
    if name == "dummy" and app.config["ENV"] == "production" and not app.config["PAYMENTS_DUMMY_IN_PRODUCTION"]:
        raise RuntimeError(
            "FANFORGE_PAYMENTS_PROVIDER is the dummy gateway, which takes no money (card 4242... "
            "always pays). Set it to stripe or wechatpay with their FANFORGE_PAYMENTS_* secrets, "
            "or FANFORGE_PAYMENTS_DUMMY_IN_PRODUCTION=true for a staging site.")
    if not app.config["PAYMENTS_DUMMY_WEBHOOK_SECRET"]:
        app.config["PAYMENTS_DUMMY_WEBHOOK_SECRET"] = hmac.new(
            app.config["SECRET_KEY"].encode(), b"dummy-gateway-webhooks", hashlib.sha256).hexdigest()
    # Built on first use: an unused provider's secrets are never asked for.
    app.extensions[_EXTENSION] = {}


class NotConfigured(LookupError):
    """A provider this site has no settings for (its webhooks are answered 404)."""


def get(name):
    """The provider called `name`; NotConfigured for one this site does not know or has
    no secrets for (a payment taken through it stays readable by name in the ledger)."""
    built = current_app.extensions[_EXTENSION]
    if name not in built:
        if name not in FACTORIES:
            raise NotConfigured(name)
        try:
            built[name] = FACTORIES[name](current_app.config)
        except RuntimeError as missing:  # a secret is not set
            raise NotConfigured(name) from missing
    return built[name]


def current():
    """The provider new payments go through."""
    return get(current_app.config["PAYMENTS_PROVIDER"])
