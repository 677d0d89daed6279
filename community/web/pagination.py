"""Pages of results that cost one page, not one table.

`Page` fetches per_page + 1 rows to learn whether there is a next page, so no
count(*) is needed; callers that know the total (a thread knows its reply count)
pass it in.
"""

import math
from dataclasses import dataclass, field

from ..kernel.extensions import db


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    has_next: bool
    total: int | None = None
    # Opaque keyset cursor for the next page, when the list uses one.
    next_cursor: str | None = field(default=None)

    @property
    def has_prev(self):
        return self.page > 1

    @property
    def pages(self):
        if self.total is None:
            return None
        return max(1, math.ceil(self.total / self.per_page))


def paginate(stmt, page, per_page, total=None):
    """One page of `stmt` (a select already in order) by offset."""
    rows = db.session.scalars(stmt.limit(per_page + 1).offset((page - 1) * per_page)).unique().all()
    return Page(items=rows[:per_page], page=page, per_page=per_page,
                has_next=len(rows) > per_page, total=total)
