"""Spending and refunding a fan's votes in a round with a vote budget.

One conditional UPDATE decides, so two votes cast at once by the same fan from
two workers can never both take the last vote.
"""

from sqlalchemy import update

from ..kernel.database import insert_ignore
from ..kernel.extensions import db
from .models import RoundBudget


def spend(round_, user_id):
    """Take one vote from the fan's budget; False when it is used up."""
    if round_.vote_budget is None:
        return True
    insert_ignore(RoundBudget, round_id=round_.id, user_id=user_id, used=0)
    taken = db.session.execute(
        update(RoundBudget)
        .where(RoundBudget.round_id == round_.id, RoundBudget.user_id == user_id,
               RoundBudget.used < round_.vote_budget)
        .values(used=RoundBudget.used + 1)
        .returning(RoundBudget.used)
    ).first()
    return taken is not None


def refund(round_, user_id):
    if round_.vote_budget is None:
        return
    db.session.execute(
        update(RoundBudget)
        .where(RoundBudget.round_id == round_.id, RoundBudget.user_id == user_id,
               RoundBudget.used > 0)
        .values(used=RoundBudget.used - 1)
    )


def remaining(round_, user_id):
    if round_.vote_budget is None or user_id is None:
        return None
    row = db.session.get(RoundBudget, (round_.id, user_id))
    return round_.vote_budget - (row.used if row else 0)
