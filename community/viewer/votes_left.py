"""The votes a fan has left in a round with a vote budget, on the page of an idea in it:
a hole (community/web/pagecache/holes.py), so the idea's page can be shared by its readers."""

from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import and_, bindparam, func, select

from ..kernel.compiled import rows_among
from ..rounds.models import Round, RoundBudget

# Built once and run on the connection: every signed-in hit on such an idea's page asks.
_LEFT = (select(Round.id, Round.vote_budget - func.coalesce(RoundBudget.used, 0))
         .outerjoin(RoundBudget, and_(RoundBudget.round_id == Round.id,
                                      RoundBudget.user_id == bindparam("user_id")))
         .where(Round.id.in_(bindparam("ids", expanding=True)), Round.vote_budget.is_not(None)))


def votes_left_holes(user, args):
    """{round id: the line} for the signed-in reader, for rounds that have a budget."""
    if not user.is_authenticated:
        return {}
    return {str(round_id): Markup('<p class="muted">%s</p>')
            % _("Votes left in this round: %(n)d", n=left)
            for round_id, left in rows_among(_LEFT, [int(arg) for arg in args], user_id=user.id)}
