"""Wire reports into an app: tables, the report form, the staff queue, the API, the
community's target kinds and the notification that tells reporters the outcome."""

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..notifications import kinds as notification_kinds
from . import api, kinds, service, staff_views, views
from . import models as _models  # noqa: F401  (tables for create_all and Alembic)


def init_app(app):
    # A member at or above this level is trusted until staff set another (the queue page).
    app.config.setdefault("REPORTS_TRUSTED_LEVEL", 4)
    # This many open reports from trusted members hide a target until staff look.
    app.config.setdefault("REPORTS_TRUSTED_FLAGS", 3)
    for blueprint in (views.bp, staff_views.bp, api.bp):
        app.register_blueprint(blueprint)
    app.add_template_global(report_url)
    kinds.register()
    notification_kinds.register(service.NOTIFICATION_KIND, _l("What staff did about your reports"),
                                 outcome_text, outcome_url)


def report_url(kind, target_id):
    """Template global: the report form of a target (a link: it works without JavaScript)."""
    return url_for("reports.new", target_kind=kind, target_id=target_id)


def outcome_text(event):
    if event.detail == "removed":
        return _("Your report on “%(title)s” was reviewed: the content was removed.",
                 title=event.title)
    return _("Your report on “%(title)s” was reviewed: no action was taken.", title=event.title)


def outcome_url(_event):
    return url_for("notifications.index")

