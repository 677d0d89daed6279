"""The staff audit log: role changes, refunds, campaign edits and F-code issues leave an
entry with who and when; nothing can change or delete one (PostgreSQL refuses it)."""

import pytest
from helpers import make_campaign, make_product, make_user
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from community.accounts import service as accounts
from community.audit import service as audit
from community.audit.models import AuditEntry
from community.forum.models import ModerationAction
from community.kernel.database import transaction
from community.kernel.extensions import db
from community.moderation import service as sanctions
from products.campaigns import service as campaigns


def _entries():
    return [(e.action, e.target, e.actor.username if e.actor else None)
            for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_role_changes_from_the_command_line_are_audited(ctx):
    fan = make_user("risen")
    runner = ctx.test_cli_runner()
    assert runner.invoke(args=["users", "set-role", "risen", "staff"]).exit_code == 0
    runner.invoke(args=["users", "set-role", "risen", "staff"])  # no change, no entry
    assert _entries() == [("role", f"user:{fan.id}", None)]
    assert accounts.get_by_username("risen").role == "staff"


def test_campaign_edits_and_f_codes_are_audited(ctx):
    staff, fans = make_user("ledger", role="staff"), [make_user(), make_user()]
    campaign = make_campaign(make_product(staff=staff, cocreators=fans), staff, publish=False)
    campaigns.issue_f_codes(campaign.id, staff, [f.id for f in fans], "top fans")
    campaigns.issue_f_codes(campaign.id, staff, [fans[0].id])  # none new: no entry
    campaigns.cancel(campaign.id, staff, "supplier gone")
    rows = [r[0] for r in _entries() if r[1] == f"campaign:{campaign.id}" and r[2] == "ledger"]
    assert rows == ["campaign_edit", "fcode_issue", "campaign_edit"]  # created, issued, cancelled
    details = db.session.scalars(select(AuditEntry.detail).order_by(AuditEntry.id)).all()
    assert any("top fans" in d for d in details) and details[-1] == "cancelled: supplier gone"


def test_record_audit_writes_with_the_callers_transaction(ctx):
    staff = make_user(role="staff")
    with pytest.raises(RuntimeError), transaction():
        audit.record_audit(staff, "export", f"user:{staff.id}", "rolled back")
        raise RuntimeError("the export failed")
    with transaction():
        audit.record_audit(staff, "export", f"user:{staff.id}", "x" * 900)
    [entry] = db.session.scalars(select(AuditEntry)).all()
    assert len(entry.detail) == audit.MAX_DETAIL


def test_postgresql_refuses_to_rewrite_either_log(ctx):
    if ctx.backend != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's")
    staff, fan = make_user(role="staff"), make_user()
    sanctions.warn(fan, staff, "noted")
    with transaction():
        audit.record_audit(staff, "export", f"user:{fan.id}")
    for statement in ("UPDATE audit_entries SET detail = 'forged'",
                      "DELETE FROM audit_entries",
                      "UPDATE moderation_actions SET reason = 'forged'",
                      "DELETE FROM moderation_actions"):
        with pytest.raises(DBAPIError, match="append-only"), transaction():
            db.session.execute(text(statement))
    assert db.session.scalar(select(ModerationAction.reason)) == "noted"
