from apicheck import assert_conforms
from helpers import make_user
from trial_factories import ANSWERS, REPORT, close_applications, make_fan, make_trial

from community.accounts import tokens


def _bearer(user):
    return {"Authorization": f"Bearer {tokens.create_token(user, 't')[1]}"}


def test_trials_over_the_api_follow_the_document(app, client):
    with app.app_context():
        staff = make_user(role="staff")
        trial = make_trial(staff=staff, places=1)
        fans = [make_fan(), make_fan()]
        heads = [_bearer(f) for f in fans]
        staff_head = _bearer(staff)
        trial_id, slug = trial.id, trial.product.slug
        fan_ids = [f.id for f in fans]
    listed = client.get(f"/api/v1/trials?product={slug}")
    assert [t["id"] for t in assert_conforms(app, listed, "GET", "/api/v1/trials")["items"]] \
        == [trial_id]
    one = client.get(f"/api/v1/trials/{trial_id}", headers=heads[0])
    assert assert_conforms(app, one, "GET", "/api/v1/trials/{trial_id}")["my_application"] is None
    path = "/api/v1/trials/{trial_id}/applications"
    bad = client.post(f"/api/v1/trials/{trial_id}/applications", json={"answers": {"q1": 3}},
                      headers=heads[0])
    assert bad.status_code == 422
    assert_conforms(app, bad, "POST", path)
    ids = []
    for head in heads:
        made = client.post(f"/api/v1/trials/{trial_id}/applications", json={"answers": ANSWERS},
                           headers=head)
        assert made.status_code == 201
        ids.append(assert_conforms(app, made, "POST", path)["id"])
    again = client.post(f"/api/v1/trials/{trial_id}/applications", json={"answers": ANSWERS},
                        headers=heads[0])
    assert again.status_code == 409
    # Staff-only: a fan gets a 403.
    refused = client.post(f"/api/v1/trials/{trial_id}/select", json={"applications": ids[:1]},
                          headers=heads[0])
    assert refused.status_code == 403
    assert_conforms(app, refused, "POST", "/api/v1/trials/{trial_id}/select")
    refused = client.post(f"/api/v1/trials/{trial_id}/draw", json={}, headers=heads[0])
    assert refused.status_code == 403
    early = client.post(f"/api/v1/trials/{trial_id}/draw", json={"seed": "x"}, headers=staff_head)
    assert early.status_code == 409
    with app.app_context():
        close_applications(trial)
    drawn = client.post(f"/api/v1/trials/{trial_id}/draw", json={"seed": "api-seed"},
                        headers=staff_head)
    assert drawn.status_code == 201
    logged = assert_conforms(app, drawn, "POST", "/api/v1/trials/{trial_id}/draw")
    winner = fan_ids.index(logged["selected"][0])
    head = heads[winner]
    confirmed = client.post(f"/api/v1/trials/{trial_id}/confirm", headers=head)
    assert assert_conforms(app, confirmed, "POST", "/api/v1/trials/{trial_id}/confirm")[
        "status"] == "confirmed"
    other = heads[1 - winner]
    nothing = client.post(f"/api/v1/trials/{trial_id}/confirm", headers=other)
    assert nothing.status_code == 409
    assert_conforms(app, nothing, "POST", "/api/v1/trials/{trial_id}/confirm")
    not_tester = client.post(f"/api/v1/trials/{trial_id}/report", json={"answers": REPORT},
                             headers=other)
    assert not_tester.status_code == 403
    filed = client.post(f"/api/v1/trials/{trial_id}/report",
                        json={"answers": REPORT, "public": True}, headers=head)
    assert filed.status_code == 201
    assert_conforms(app, filed, "POST", "/api/v1/trials/{trial_id}/report")
    public = client.get(f"/api/v1/trials/{trial_id}/reports")
    assert len(assert_conforms(app, public, "GET", "/api/v1/trials/{trial_id}/reports")) == 1
    declined = client.post(f"/api/v1/trials/{trial_id}/decline", headers=head)
    assert assert_conforms(app, declined, "POST", "/api/v1/trials/{trial_id}/decline")[
        "status"] == "declined"
    shown = client.get(f"/api/v1/trials/{trial_id}", headers=other)
    assert assert_conforms(app, shown, "GET", "/api/v1/trials/{trial_id}")[
        "my_application"]["status"] == "selected"  # the place went to the next fan
    missing = client.get("/api/v1/trials/987654")
    assert missing.status_code == 404
    assert_conforms(app, missing, "GET", "/api/v1/trials/{trial_id}")
