"""Campaigns' periodic jobs: open every scheduled campaign whose start has come, and
settle every campaign whose end has passed (as `flask campaigns open-due` and
`settle-due` do); running either twice changes nothing."""

from community.kernel import jobs

from . import service


@jobs.periodic("campaigns.open_due", minute="*")
def open_due():
    return f"{len(service.open_due())} opened"


@jobs.periodic("campaigns.settle_due", minute="*")
def settle_due():
    settled = [outcome for _id, outcome in service.settle_due() if outcome]
    return f"{len(settled)} settled"
