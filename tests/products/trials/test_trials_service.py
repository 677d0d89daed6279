from datetime import timedelta

import pytest
from helpers import make_user
from sqlalchemy import func, select
from trial_factories import (
    ANSWERS,
    REPORT,
    close_applications,
    make_fan,
    make_trial,
    move_due,
)

from community.ideas.models import Idea
from community.kernel.errors import Conflict, Forbidden, ValidationError
from community.kernel.extensions import db
from community.mail.models import MailOutbox
from products.trials import draw, mail, reports, selection, service
from products.trials.models import Trial, TrialApplication


def _status(trial, fan):
    return service.application_of(trial.id, fan).status


def test_a_fan_applies_once_with_answers_to_every_question(ctx):
    trial, fan = make_trial(), make_fan()
    with pytest.raises(ValidationError) as caught:
        service.apply(trial.id, fan, {"q1": "Pixel 8", "q2": "hourly"})
    assert caught.value.field == "q2"
    with pytest.raises(ValidationError):
        service.apply(trial.id, fan, {"q1": "Pixel 8"})
    with pytest.raises(ValidationError):
        service.apply(trial.id, fan, {**ANSWERS, "q9": "extra"})
    application = service.apply(trial.id, fan, ANSWERS)
    assert service.answers_of(application) == ANSWERS
    with pytest.raises(Conflict) as caught:
        service.apply(trial.id, fan, ANSWERS)
    assert caught.value.code == "already_applied"
    assert db.session.scalar(select(func.count()).select_from(TrialApplication)) == 1


def test_level_verified_address_and_deadline_decide_who_may_apply(ctx):
    trial = make_trial(min_level=3)
    newcomer, regular = make_fan(points=0), make_fan(points=60)
    with pytest.raises(Forbidden) as caught:
        service.apply(trial.id, newcomer, ANSWERS)
    assert caught.value.code == "level_required"
    service.apply(trial.id, regular, ANSWERS)

    strict, relaxed = make_trial(), make_trial(verified_required=False)
    unconfirmed = make_fan(verified=False)
    with pytest.raises(Forbidden) as caught:
        service.apply(strict.id, unconfirmed, ANSWERS)
    assert caught.value.code == "email_unverified"
    service.apply(relaxed.id, unconfirmed, ANSWERS)

    closed = close_applications(make_trial())
    with pytest.raises(Conflict) as caught:
        service.apply(closed.id, make_fan(), ANSWERS)
    assert caught.value.code == "trial_closed"


def test_staff_define_the_forms_and_only_staff_open_or_run_a_trial(ctx):
    with pytest.raises(ValidationError) as caught:
        make_trial(questions_text="choice: Only one | answer")
    assert caught.value.field == "questions"
    with pytest.raises(ValidationError):
        make_trial(report_questions_text="photo: Show us")
    fan = make_fan()
    with pytest.raises(Forbidden):
        make_trial(staff=fan)
    trial = make_trial()
    application = service.apply(trial.id, make_fan(), ANSWERS)
    with pytest.raises(Forbidden):
        selection.select_by_hand(trial.id, fan, [application.id])
    with pytest.raises(Forbidden):
        selection.run_draw(close_applications(trial).id, fan, "seed")


def test_the_draw_order_is_the_same_for_the_same_seed_and_follows_the_weights():
    entries = [(1, 1, False), (2, 50, False), (3, 1, True), (4, 10, False)]
    first = draw.order("abc", entries)
    assert draw.order("abc", list(reversed(entries))) == first
    assert draw.order("abc", entries) == first
    assert {tuple(draw.order(f"s{i}", entries)) for i in range(20)} != {tuple(first)}
    # Co-creators first puts fan 3 ahead whatever the seed.
    assert all(draw.order(f"s{i}", entries, cocreators_first=True)[0] == 3 for i in range(20))
    # Weighted: over many seeds the heavy fan wins far more often than a weight-1 fan.
    wins = [draw.order(f"seed-{i}", entries)[0] for i in range(2000)]
    assert wins.count(2) > 1000 > 100 > wins.count(1)


def test_a_logged_draw_offers_the_free_places_and_replays(ctx):
    staff = make_user(role="staff")
    trial = make_trial(staff=staff, places=2)
    board = trial.product.board_id
    fans = [make_fan(board_points=p, board_id=board) for p in (0, 0, 500, 0)]
    for fan in fans:
        service.apply(trial.id, fan, ANSWERS)
    with pytest.raises(Conflict) as caught:
        selection.run_draw(trial.id, staff, "early")
    assert caught.value.code == "trial_open"
    trial = close_applications(trial)
    logged = selection.run_draw(trial.id, staff, "fair-seed")
    assert logged.seed == "fair-seed"
    assert selection.replay(logged) == draw.order(
        "fair-seed", [(f.id, 1 + (500 if f is fans[2] else 0), False) for f in fans])
    statuses = sorted(_status(trial, f) for f in fans)
    assert statuses == ["selected", "selected", "shortlisted", "shortlisted"]
    assert db.session.scalar(select(func.count()).select_from(MailOutbox)
                             .where(MailOutbox.kind == mail.SELECTED)) == 2


def test_confirm_fills_places_and_decline_offers_the_next_on_the_shortlist(ctx):
    staff = make_user(role="staff")
    trial = make_trial(staff=staff, places=1)
    first, second, third = make_fan(), make_fan(), make_fan()
    rows = [service.apply(trial.id, fan, ANSWERS) for fan in (first, second, third)]
    selection.shortlist(trial.id, staff, rows[1].id)
    selection.shortlist(trial.id, staff, rows[2].id)
    selection.select_by_hand(trial.id, staff, [rows[0].id])
    with pytest.raises(Conflict) as caught:
        selection.select_by_hand(trial.id, staff, [rows[1].id])
    assert caught.value.code == "trial_full"
    with pytest.raises(Conflict):
        selection.confirm(trial.id, second)
    selection.decline(trial.id, first)
    assert _status(trial, second) == "selected" and _status(trial, third) == "shortlisted"
    selection.confirm(trial.id, second)
    assert db.session.get(Trial, trial.id, populate_existing=True).places_taken == 1
    selection.decline(trial.id, second)  # a tester may still give the place back
    assert db.session.get(Trial, trial.id, populate_existing=True).places_taken == 0
    assert _status(trial, third) == "selected"


def test_confirming_never_takes_more_places_than_there_are(ctx):
    staff = make_user(role="staff")
    trial = make_trial(staff=staff, places=1)
    a, b = make_fan(), make_fan()
    rows = [service.apply(trial.id, fan, ANSWERS) for fan in (a, b)]
    selection.select_by_hand(trial.id, staff, [rows[0].id])
    # Two offers out for one place (as two staff racing could make): the counter decides.
    db.session.execute(TrialApplication.__table__.update()
                       .where(TrialApplication.id == rows[1].id).values(status="selected"))
    db.session.commit()
    selection.confirm(trial.id, a)
    with pytest.raises(Conflict) as caught:
        selection.confirm(trial.id, b)
    assert caught.value.code == "trial_full"
    assert _status(trial, b) == "selected"  # rolled back: still holding an offer
    assert db.session.get(Trial, trial.id, populate_existing=True).places_taken == 1


def _tester(trial, staff):
    fan = make_fan()
    application = service.apply(trial.id, fan, ANSWERS)
    selection.select_by_hand(trial.id, staff, [application.id])
    selection.confirm(trial.id, fan)
    return fan


def test_reports_are_for_testers_by_their_due_date_once(ctx):
    staff = make_user(role="staff")
    trial = make_trial(staff=staff)
    tester, outsider = _tester(trial, staff), make_fan()
    with pytest.raises(Forbidden):
        reports.file_report(trial.id, outsider, REPORT)
    with pytest.raises(ValidationError) as caught:
        reports.file_report(trial.id, tester, {**REPORT, "q1": 6})
    assert caught.value.field == "q1"
    report = reports.file_report(trial.id, tester, REPORT, public=True)
    assert report.public and reports.answers_of(report) == REPORT
    with pytest.raises(Conflict):
        reports.file_report(trial.id, tester, REPORT)
    late = move_due(make_trial(staff=staff), timedelta(days=5))
    late_tester = _tester(late, staff)
    late = move_due(late, timedelta(seconds=-1))
    with pytest.raises(Conflict) as caught:
        reports.file_report(late.id, late_tester, REPORT)
    assert caught.value.code == "report_closed"


def test_testers_are_reminded_once_before_the_report_is_due(ctx):
    staff = make_user(role="staff")
    trial = make_trial(staff=staff)
    lazy, keen = _tester(trial, staff), _tester(trial, staff)
    reports.file_report(trial.id, keen, REPORT)
    assert mail.queue_reminders() == 0  # due in 20 days: not yet
    move_due(trial, timedelta(days=2))
    assert mail.queue_reminders() == 1
    assert mail.queue_reminders() == 0
    reminded = db.session.scalars(select(MailOutbox.user_id)
                                  .where(MailOutbox.kind == mail.REMINDER)).all()
    assert reminded == [lazy.id]


def test_the_summary_counts_each_rating_and_collects_texts(ctx):
    staff = make_user(role="staff")
    trial = make_trial(staff=staff, places=3)
    for ratings in ((4, 5), (2, 5), (4, 3)):
        reports.file_report(trial.id, _tester(trial, staff),
                            {"q1": ratings[0], "q2": ratings[1], "q3": "ok"})
    battery, comfort, change = reports.summary(trial)
    assert battery["count"] == 3 and battery["average"] == 3.33
    assert dict(battery["bars"]) == {5: 0, 4: 2, 3: 0, 2: 1, 1: 0}
    assert comfort["average"] == 4.33
    assert [text for _n, text in change["texts"]] == ["ok", "ok", "ok"]


def test_a_report_becomes_an_idea_credited_to_its_tester_once(ctx):
    staff = make_user(role="staff")
    trial = make_trial(staff=staff)
    tester = _tester(trial, staff)
    report = reports.file_report(trial.id, tester, REPORT)
    with pytest.raises(Forbidden):
        reports.to_idea(trial.id, tester, report.id)
    idea = reports.to_idea(trial.id, staff, report.id)
    assert idea.author_id == tester.id and idea.board_id == trial.product.board_id
    assert reports.to_idea(trial.id, staff, report.id).id == idea.id
    assert db.session.scalar(select(func.count()).select_from(Idea)) == 1
    assert reports.report_of(trial.id, tester.id).idea_id == idea.id
