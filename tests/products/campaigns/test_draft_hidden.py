"""A draft campaign cannot be told from a missing one by anyone who may not see it: every
route naming a campaign (taken from the URL map, so a new one is covered) answers a visitor,
a fan with a session and a fan with a token exactly as it answers for an id that does not
exist. Staff still see the draft."""

import re

from helpers import PASSWORD, make_campaign, make_user

from community.accounts import tokens

MISSING = 987_654


def _campaign_routes(app):
    for rule in app.url_map.iter_rules():
        if "campaign_id" in rule.arguments:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield method, re.sub(r"<int:campaign_id>", "{}", rule.rule)


def _answer(client, method, path, headers):
    body = {"tier": 1, "quantity": 1}
    response = client.open(path, method=method, headers=headers, json=body) \
        if path.startswith("/api/") else client.open(path, method=method,
                                                     data={"tier": "1", "quantity": "1"})
    error = response.get_json(silent=True) or {}
    response.close()
    return response.status_code, error.get("error", {}).get("code")


def test_a_draft_answers_as_a_missing_campaign(app):
    with app.app_context():
        staff = make_user("boss", role="staff")
        draft = make_campaign(staff=staff, publish=False)
        make_user("fan")
        fan_token = tokens.create_token(make_user("tokenfan"), "t")[1]
        staff_token = tokens.create_token(staff, "t")[1]
        draft_id, tier_id = draft.id, draft.tiers[0].id
    visitor, fan = app.test_client(), app.test_client()
    fan.post("/login", data={"login": "fan", "password": PASSWORD})
    routes = list(_campaign_routes(app))
    assert len(routes) >= 8
    as_token = {"Authorization": f"Bearer {fan_token}",
                "Idempotency-Key": "k1"}
    leaks = []
    for who, client, headers in (("visitor", visitor, {"Idempotency-Key": "k1"}),
                                 ("fan", fan, {"Idempotency-Key": "k1"}),
                                 ("token", visitor, as_token)):
        for method, path in routes:
            draft_answer = _answer(client, method, path.format(draft_id), headers)
            missing_answer = _answer(client, method, path.format(MISSING), headers)
            if draft_answer != missing_answer:
                leaks.append(f"{who} {method} {path}: draft {draft_answer}, "
                             f"missing {missing_answer}")
    assert leaks == []
    # A real tier of the draft tells nothing either.
    ordered = visitor.post(f"/api/v1/campaigns/{draft_id}/preorders", headers=as_token,
                           json={"tier": tier_id, "quantity": 1})
    assert ordered.status_code == 404
    # Staff still see it.
    seen = visitor.get(f"/api/v1/campaigns/{draft_id}",
                       headers={"Authorization": f"Bearer {staff_token}"})
    assert seen.status_code == 200 and seen.get_json()["state"] == "draft"
    staff_client = app.test_client()
    staff_client.post("/login", data={"login": "boss", "password": PASSWORD})
    assert staff_client.get(f"/campaigns/{draft_id}").status_code == 200
