from helpers import make_user
from test_two_factor_service import turned_on

from community.accounts import service, twofactor
from community.forum import boards as board_service
from community.ideas import lists
from community.ideas.models import STATUSES
from community.rounds import service as rounds


def test_users_create_with_options(runner, app):
    result = runner.invoke(args=["users", "create", "boss", "--email", "boss@example.com",
                                 "--password", "long-enough", "--role", "admin"])
    assert result.exit_code == 0, result.output
    assert "Created admin boss" in result.output
    with app.app_context():
        assert service.get_by_username("boss").is_admin


def test_users_create_prompts_for_the_password(runner, app):
    result = runner.invoke(args=["users", "create", "quiet", "--email", "q@example.com"],
                           input="long-enough\nlong-enough\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert service.authenticate("quiet", "long-enough") is not None


def test_users_create_reports_errors(runner, app):
    result = runner.invoke(args=["users", "create", "x", "--email", "x@example.com",
                                 "--password", "long-enough"])
    assert result.exit_code != 0
    assert "2-32 letters" in result.output


def test_set_role(runner, app):
    runner.invoke(args=["users", "create", "helper", "--email", "h@example.com",
                        "--password", "long-enough"])
    result = runner.invoke(args=["users", "set-role", "helper", "staff"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert service.get_by_username("helper").role == "staff"
    assert runner.invoke(args=["users", "set-role", "ghost", "staff"]).exit_code != 0


def test_reset_two_factor(runner, app):
    with app.app_context():
        turned_on(make_user("lostphone"))
    result = runner.invoke(args=["users", "reset-two-factor", "lostphone"])
    assert result.exit_code == 0 and "off for lostphone" in result.output
    with app.app_context():
        assert not twofactor.is_enabled(service.get_by_username("lostphone"))
    assert runner.invoke(args=["users", "reset-two-factor", "ghost"]).exit_code != 0


def test_demo_load_is_idempotent(runner, app):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "admin" in result.output and "lilei" in result.output
    with app.app_context():
        boards = board_service.list_boards()
        assert len(boards) >= 4
        assert sum(b.thread_count for b in boards) >= 12
        assert {u for u in ("admin", "staff", "lilei", "meimei")
                if service.get_by_username(u)} == {"admin", "staff", "lilei", "meimei"}
        assert service.get_by_username("admin").is_admin
        assert service.get_by_username("staff").role == "staff"
        counts = lists.counts_by_status()
        assert all(counts[status] > 0 for status in STATUSES), counts
        groups = rounds.rounds_by_state()
        assert groups["live"] and groups["closed"]
        closed = groups["closed"][0]
        assert closed.vote_count > 0 and rounds.standings(closed)[0].accepted
        from products.campaigns.models import Campaign
        from products.catalog import catalog

        assert all(n > 0 for n in catalog.stage_counts().values()), catalog.stage_counts()
        states = {c.effective_state() for c in Campaign.query.all()}
        assert {"live", "succeeded", "failed"} <= states
        from community.engagement import medals

        levels = {u.level.number for u in (service.get_by_username(n) for n in ("lilei", "meimei", "fan05"))}
        assert len(levels) >= 2, levels
        assert {"streak_7", "streak_30", "community_hero"} <= {
            m.medal for m in medals.medals_of(service.get_by_username("meimei").id)}
        users_before = service.count_users()
    again = runner.invoke(args=["demo", "load"])
    assert again.exit_code == 0
    assert "already loaded" in again.output
    with app.app_context():
        assert service.count_users() == users_before


def test_purge_expired_forgets_stale_address_changes_and_old_revoked_tokens(runner, app):
    from datetime import timedelta

    from sqlalchemy import func, select, update

    from community.accounts import tokens, verification
    from community.accounts.models import User
    from community.kernel.database import transaction, utcnow
    from community.kernel.extensions import db

    with app.app_context():
        fan = service.register("mover", "mover@example.com", "long-enough", verified=True)
        verification.request_change(fan, "new-home@example.com", "long-enough")
        old, _plain = tokens.create_token(fan, "old bot")
        tokens.create_token(fan, "live bot")
        long_ago = utcnow() - timedelta(days=31)
        with transaction():
            db.session.execute(update(User).values(pending_email_at=long_ago))
            db.session.execute(update(tokens.ApiToken).where(tokens.ApiToken.id == old.id)
                               .values(revoked_at=long_ago))
    result = runner.invoke(args=["users", "purge-expired"])
    assert result.exit_code == 0, result.output
    assert "Forgot 1 expired address change(s) and 1 old revoked token(s)." in result.output
    with app.app_context():
        user = service.get_by_username("mover")
        assert user.pending_email is None and user.email == "mover@example.com"
        assert db.session.scalar(select(func.count()).select_from(tokens.ApiToken)) == 1
