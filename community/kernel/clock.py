"""The community's clock: the database keeps naive UTC, people type and read local time."""

from datetime import UTC
from zoneinfo import ZoneInfo

from flask import current_app


def zone():
    return ZoneInfo(current_app.config["TIMEZONE"])


def local_to_utc(value):
    """A naive datetime typed in the community's zone, as naive UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=zone()).astimezone(UTC).replace(tzinfo=None)


def utc_to_local(value):
    if value is None:
        return None
    return value.replace(tzinfo=UTC).astimezone(zone()).replace(tzinfo=None)
