"""Demo engagement: streaks, a medal from staff, and the ledger rebuilt over it all."""

from datetime import timedelta

from community.engagement import checkin, ledger, medals
from community.engagement.models import CheckIn
from community.kernel.database import transaction
from community.kernel.extensions import db

# username -> days checked in up to yesterday (today's check-in is theirs to click)
STREAKS = {"lilei": 12, "meimei": 31, "fan01": 3}


def load(users):
    today = checkin.today()
    with transaction():
        for name, days in STREAKS.items():
            for n in range(days):
                db.session.add(CheckIn(user_id=users[name].id, day=today - timedelta(days=days - n),
                                       streak=n + 1))
    medals.award_by_staff(users["meimei"], users["staff"], "community_hero",
                          "Answered every newcomer's question this month.")
    # Back-dated check-ins earn their points and streak medals through the one
    # rebuild path, exactly as `flask engagement recompute` would.
    with transaction():
        ledger.recompute()
        medals.recompute()
