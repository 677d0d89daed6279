import pytest
from catalog_factories import make_product
from helpers import make_user

from community.kernel.errors import Conflict, Forbidden, ValidationError
from products.catalog import catalog, stages
from products.catalog.models import STAGES


def test_staff_move_stages_and_each_move_is_on_the_timeline(ctx):
    staff = make_user(role="staff")
    product = make_product(staff=staff)
    stages.set_stage(product, staff, "co_creation", "  Let's design it together. ")
    change = stages.set_stage(product, staff, "preorder")
    assert (change.from_stage, change.to_stage) == ("co_creation", "preorder")
    assert catalog.get_product(product.slug).stage == "preorder"
    # A failed pre-order may go back to co-creation.
    stages.set_stage(product, staff, "co_creation", "Back to the drawing board.")
    timeline = catalog.timeline(product.id)
    assert [(c.from_stage, c.to_stage) for c in timeline] == [
        (None, "concept"), ("concept", "co_creation"), ("co_creation", "preorder"),
        ("preorder", "co_creation")]
    assert timeline[1].note == "Let's design it together." and timeline[1].actor.id == staff.id


@pytest.mark.parametrize("final", ["shipped", "cancelled"])
def test_shipped_and_cancelled_are_final(ctx, final):
    staff = make_user(role="staff")
    product = make_product(staff=staff)
    stages.set_stage(product, staff, final)
    for stage in STAGES:
        if stage != final:
            with pytest.raises(Conflict) as caught:
                stages.set_stage(product, staff, stage)
            assert caught.value.code == "stage_final"
    assert len(catalog.timeline(product.id)) == 2


def test_bad_stage_changes_are_refused(ctx):
    staff = make_user(role="staff")
    product = make_product(staff=staff)
    with pytest.raises(Forbidden):
        stages.set_stage(product, make_user(), "preorder")
    with pytest.raises(ValidationError) as caught:
        stages.set_stage(product, staff, "sold_out")
    assert caught.value.code == "unknown_stage"
    with pytest.raises(ValidationError) as caught:
        stages.set_stage(product, staff, "concept")
    assert caught.value.code == "same_stage"
    with pytest.raises(ValidationError):
        stages.set_stage(product, staff, "preorder", "x" * 5001)
    assert catalog.get_product(product.slug).stage == "concept"


def test_record_stage_inside_another_use_case_is_safe_to_repeat(ctx):
    from community.kernel.database import transaction

    staff = make_user(role="staff")
    product = make_product(staff=staff)
    with transaction():
        assert stages.record_stage(product, staff, "preorder", "Campaign live.") is not None
    with transaction():
        assert stages.record_stage(product, staff, "preorder") is None
    assert product.stage == "preorder"
    assert len(catalog.timeline(product.id)) == 2


def test_lists_by_stage(ctx):
    staff = make_user(role="staff")
    concept = [make_product(staff=staff) for _ in range(3)]
    preorder = make_product(staff=staff)
    stages.set_stage(preorder, staff, "preorder")
    groups = catalog.catalog_by_stage(per_stage=2)
    assert [p.id for p in groups["concept"]] == [concept[2].id, concept[1].id]
    assert [p.id for p in groups["preorder"]] == [preorder.id]
    assert groups["shipped"] == []
    assert catalog.stage_counts()["concept"] == 3
    page = catalog.list_products("concept", page=2, per_page=2)
    assert [p.id for p in page.items] == [concept[0].id] and page.total == 3
    assert catalog.list_products().total == 4
