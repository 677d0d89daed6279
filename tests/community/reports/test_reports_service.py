"""Reports through the services: every kind reportable, what one cannot see is the same
404 as nothing, one open report per reporter, the queue grouped by target, the outcome
told to reporters, and trusted reports hiding a target until staff look."""

import pytest
from helpers import make_user
from report_factories import private_circle, with_points, world
from sqlalchemy import select

from community.forum import service as forum
from community.forum.models import ModerationAction, Post, Thread
from community.ideas.models import Idea
from community.kernel.errors import Conflict, NotFound, ValidationError
from community.kernel.extensions import db
from community.messages.models import Message
from community.notifications.models import Notification
from community.reports import service, targets
from community.reports.models import Report, ReportTarget
from community.reports.wiring import outcome_text


def _hidden(kind, target_id):
    if kind == "post":
        return db.session.get(Post, target_id, populate_existing=True).hidden
    if kind == "thread":
        return db.session.get(Thread, target_id, populate_existing=True).hidden
    if kind == "idea":
        idea = db.session.get(Idea, target_id)
        return db.session.get(Thread, idea.thread_id, populate_existing=True).hidden
    return db.session.get(Message, target_id, populate_existing=True).hidden


def test_every_kind_is_reportable_once_while_open(ctx):
    found = world()
    reader, author = found["reader"], found["author"]
    for name, (kind, target_id) in found["targets"].items():
        report, target = service.report(kind, target_id, reader, "abuse")
        assert (report.kind, report.target_id, report.reason) == (kind, target_id, "abuse"), name
        assert target.author_id == author.id
        with pytest.raises(Conflict) as again:
            service.report(kind, target_id, reader, "spam")
        assert again.value.code == "already_reported"
        with pytest.raises(ValidationError) as own:
            service.report(kind, target_id, author, "spam")
        assert own.value.code == "own_content"
    assert db.session.scalar(select(db.func.count()).select_from(Report)) == 7
    staff = make_user(role="staff")
    kind, target_id = found["targets"]["reply"]
    service.resolve(kind, target_id, staff, "dismissed")
    service.report(kind, target_id, reader, "spam")  # closed: a new one may be filed


def test_reasons_and_text(ctx):
    found = world()
    kind, target_id = found["targets"]["reply"]
    with pytest.raises(ValidationError) as bad:
        service.report(kind, target_id, found["reader"], "boring")
    assert bad.value.field == "reason"
    with pytest.raises(ValidationError) as bare:
        service.report(kind, target_id, found["reader"], "other", "  ")
    assert bare.value.code == "text_required"
    report, _ = service.report(kind, target_id, found["reader"], "other", " Selling fakes ")
    assert report.text == "Selling fakes"


def test_what_the_reporter_cannot_see_is_the_same_404_as_nothing(ctx):
    found = world()
    outsider, author = make_user(), found["author"]
    for name in ("circle_thread", "circle_reply", "message"):
        kind, target_id = found["targets"][name]
        with pytest.raises(NotFound) as hidden_from_me:
            service.report(kind, target_id, outsider, "spam")
        with pytest.raises(NotFound) as missing:
            service.report(kind, 10_000_000, outsider, "spam")
        assert hidden_from_me.value.message == missing.value.message, name
    # A hidden post is gone for fans: reporting it is the same 404 too.
    kind, reply_id = found["targets"]["reply"]
    staff = make_user(role="staff")
    service.report(kind, reply_id, found["reader"], "spam")
    service.resolve(kind, reply_id, staff, "removed")
    with pytest.raises(NotFound) as gone:
        service.report(kind, reply_id, outsider, "spam")
    assert gone.value.message == str(forum_missing_message())
    with pytest.raises(NotFound):
        service.report("bogus", 1, outsider, "spam")
    # A private circle's member who left no longer sees it either.
    circle = private_circle(author)
    assert circle.is_private
    assert db.session.scalar(select(db.func.count()).select_from(Report)
                             .where(Report.reporter_id == outsider.id)) == 0


def forum_missing_message():
    with pytest.raises(NotFound) as missing:
        forum.get_post(10_000_000, None)
    return missing.value.message


def test_the_queue_groups_by_target_with_counts_and_reasons(ctx):
    found = world()
    staff = make_user(role="staff")
    others = [make_user() for _ in range(2)]
    reply, idea = found["targets"]["reply"], found["targets"]["idea"]
    service.report(*reply, found["reader"], "spam")
    service.report(*reply, others[0], "abuse")
    service.report(*reply, others[1], "spam")
    service.report(*idea, others[0], "off_topic")
    page, reasons = service.queue(staff, 1)
    rows = {(row.kind, row.target_id): row for row in page.items}
    assert set(rows) == {reply, idea}
    assert page.items[0].kind == "idea"  # latest report first
    assert rows[reply].open_count == 3 and reasons[rows[reply].id] == {"spam": 2, "abuse": 1}
    assert rows[reply].first_reported_at <= rows[reply].last_reported_at
    assert rows[reply].title == "A rude reply." and rows[reply].author_id == found["author"].id
    with ctx.test_request_context():  # the context links to the target's page
        row, reports, context = service.open_target(*reply, staff)
    assert [r.reporter_id for r in reports] == [found["reader"].id, others[0].id, others[1].id]
    assert "A rude reply." in context["body_html"]
    service.resolve(*reply, staff, "dismissed")
    page, _ = service.queue(staff, 1)
    assert [(r.kind, r.target_id) for r in page.items] == [idea]


def test_staff_see_only_what_the_reporter_could_of_a_conversation(ctx):
    found = world()
    author, reader = found["author"], found["reader"]
    from community.messages import sending, service as messages  # noqa: I001
    group, _ = messages.start(author, [make_user().username], "Band")
    early = sending.send(group.id, author, "Before you came.")
    messages.add_members(group.id, author, [reader.username])
    bad = sending.send(group.id, author, "Something nasty.")
    after = sending.send(group.id, author, "And more.")
    service.report("message", bad.id, reader, "abuse")
    staff = make_user(role="staff")
    with ctx.test_request_context():
        _row, _reports, context = service.open_target("message", bad.id, staff)
    ids = [m.id for m in context["around"]]
    assert bad.id in ids and after.id in ids and early.id not in ids


def test_the_reporters_hear_the_outcome_and_nothing_of_a_sanction(ctx):
    found = world()
    staff = make_user(role="staff")
    second = make_user()
    reply, profile = found["targets"]["reply"], found["targets"]["profile"]
    service.report(*reply, found["reader"], "spam")
    service.report(*reply, second, "abuse")
    service.report(*profile, found["reader"], "abuse")
    assert service.resolve(*reply, staff, "removed", "spam links") == 2
    assert service.resolve(*reply, staff, "removed") == 0  # already closed
    assert _hidden(*reply)
    with pytest.raises(ValidationError) as cannot:
        service.resolve(*profile, staff, "removed")
    assert cannot.value.code == "cannot_hide"
    service.resolve(*profile, staff, "dismissed")
    told = db.session.scalars(select(Notification).where(
        Notification.kind == service.NOTIFICATION_KIND).order_by(Notification.id)).all()
    assert sorted((n.user_id, n.detail) for n in told) == sorted([
        (found["reader"].id, "removed"), (second.id, "removed"),
        (found["reader"].id, "dismissed")])
    assert found["author"].id not in {n.user_id for n in told}
    texts = [outcome_text(n) for n in told]
    assert "the content was removed" in texts[0] and "spam links" not in texts[0]
    assert "no action" in texts[-1]
    log = db.session.scalars(select(ModerationAction.action).order_by(ModerationAction.id)).all()
    assert log == ["hide", "dismiss"]


def test_trusted_reports_hide_until_staff_look(ctx, app):
    app.config["REPORTS_TRUSTED_FLAGS"] = 3
    found = world()
    staff = make_user(role="staff")
    service.set_trusted_level(3, staff)  # 60 points
    trusted = [with_points(make_user(), 60) for _ in range(3)]
    newcomers = [make_user() for _ in range(3)]
    reply, thread = found["targets"]["reply"], found["targets"]["thread"]
    for fan in newcomers:
        service.report(*reply, fan, "spam")
    assert not _hidden(*reply)  # newcomers' reports do not count
    service.report(*reply, trusted[0], "spam")
    service.report(*reply, trusted[1], "spam")
    assert not _hidden(*reply)
    report, _ = service.report(*reply, trusted[2], "spam")
    assert report.trusted and _hidden(*reply)
    row = db.session.scalar(select(ReportTarget).where(ReportTarget.target_id == reply[1],
                                                       ReportTarget.kind == "post"))
    assert row.auto_hidden and row.open_count == 6 and row.trusted_count == 3
    service.resolve(*reply, staff, "dismissed")  # staff disagree: it shows again
    assert not _hidden(*reply)
    # Content staff hid themselves stays hidden whatever a dismissal says.
    forum_thread = db.session.get(Thread, thread[1])
    from community.forum import moderation
    moderation.set_thread_hidden(forum_thread, staff, True)
    for fan in trusted:
        with pytest.raises(NotFound):  # hidden: fans cannot even report it
            service.report(*thread, fan, "spam")
    assert _hidden(*thread)


def test_the_kinds_are_registered(ctx):
    assert {"post", "thread", "idea", "profile", "message", "review"} <= set(targets.KINDS)
