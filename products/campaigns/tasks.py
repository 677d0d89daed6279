"""Campaigns' periodic job: settle every campaign whose end has passed (as
`flask campaigns settle-due` does); settling twice changes nothing."""

from community.kernel import jobs

from . import service


@jobs.periodic("campaigns.settle_due", minute="*")
def settle_due():
    settled = [outcome for _id, outcome in service.settle_due() if outcome]
    return f"{len(settled)} settled"
