"""The data rights' jobs: build exports as they are asked for (and sweep for any a lost
kick left), close accounts whose grace period ended, purge retained orders."""

from ..kernel import jobs
from . import closure, export


@jobs.task(export.BUILD_TASK, on_start=True)
def build_exports():
    return export.build_due()


@jobs.periodic("datarights.sweep", minute="*/15")
def sweep():
    built = export.build_due()
    return f"{built} export(s) built"


@jobs.periodic("datarights.close_due", minute="40")
def close_due():
    closed = closure.close_due()
    purged = closure.purge_due()
    return f"{closed} account(s) closed, {purged} purged"
