"""Media's periodic job: try again the file deletes that failed after their commit
(deletes.py). Two workers at once only delete a file twice, which costs nothing."""

from ..kernel import jobs
from . import deletes


@jobs.periodic("media.retry_deletes", minute="*/10")
def retry_deletes():
    return f"{deletes.retry_due()} file(s) deleted"
