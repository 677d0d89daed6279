"""Trials over the JSON API: list and read them, apply, confirm or decline a place, file a
report; staff select testers by hand or run the draw."""

import json

from flask_babel import gettext as _

from community.api.core import (
    USER,
    api_blueprint,
    api_user,
    iso,
    json_body,
    page_args,
    require_user,
    staff_required,
    token_required,
    user_json,
)
from community.api.openapi import api_doc, define_schema
from community.kernel.errors import DomainError
from community.web.http import text_arg

from . import reports, selection, service
from .models import STATUSES

bp = api_blueprint("trials_api", __name__)

STAMP = {"type": "string", "format": "date-time"}
QUESTION = {"type": "object", "required": ["key", "kind", "label"], "properties": {
    "key": {"type": "string"}, "kind": {"type": "string"}, "label": {"type": "string"},
    "choices": {"type": "array", "items": {"type": "string"}}, "long": {"type": "boolean"}}}
ANSWERS = {"type": "object", "additionalProperties": {"type": ["string", "integer"]},
           "description": "{question key: answer}: every question answered; a rating is 1-5."}
APPLICATION = define_schema("TrialApplication", {
    "type": "object", "required": ["id", "trial_id", "user", "status", "answers", "created_at"],
    "description": "status: applied, shortlisted, selected (a place offered: confirm or "
                   "decline it), confirmed, declined or rejected.",
    "properties": {"id": {"type": "integer"}, "trial_id": {"type": "integer"}, "user": USER,
                   "status": {"type": "string", "enum": list(STATUSES)},
                   "rank": {"type": ["integer", "null"]}, "answers": ANSWERS,
                   "created_at": STAMP}})
TRIAL = define_schema("Trial", {
    "type": "object",
    "required": ["id", "product", "title", "description", "places", "places_taken", "min_level",
                 "verified_required", "cocreators_first", "questions", "report_questions",
                 "apply_by", "report_due", "open"],
    "properties": {
        "id": {"type": "integer"},
        "product": {"type": "object", "required": ["slug", "name"],
                    "properties": {"slug": {"type": "string"}, "name": {"type": "string"}}},
        "title": {"type": "string"}, "description": {"type": "string"},
        "places": {"type": "integer"}, "places_taken": {"type": "integer"},
        "min_level": {"type": "integer"}, "verified_required": {"type": "boolean"},
        "cocreators_first": {"type": "boolean"},
        "questions": {"type": "array", "items": QUESTION},
        "report_questions": {"type": "array", "items": QUESTION},
        "apply_by": STAMP, "report_due": STAMP, "open": {"type": "boolean"},
        "testers": {"type": "array", "items": USER},
        "my_application": {"oneOf": [APPLICATION, {"type": "null"}],
                           "description": "With a token: the caller's application."}}})
REPORT = define_schema("TrialReport", {
    "type": "object", "required": ["id", "trial_id", "user", "answers", "public", "photos",
                                   "created_at"],
    "properties": {"id": {"type": "integer"}, "trial_id": {"type": "integer"}, "user": USER,
                   "answers": ANSWERS, "public": {"type": "boolean"},
                   "idea_id": {"type": ["integer", "null"]},
                   "photos": {"type": "array", "items": {"type": "string"}},
                   "created_at": STAMP}})
DRAW = define_schema("TrialDraw", {
    "type": "object", "required": ["id", "seed", "entries", "order", "selected", "created_at"],
    "description": "entries: [user_id, weight, co-creator]; order: user ids best first; "
                   "selected: those offered a place. The same seed and entries give the same "
                   "order (see products/trials/draw.py).",
    "properties": {"id": {"type": "integer"}, "seed": {"type": "string"},
                   "entries": {"type": "array", "items": {"type": "array"}},
                   "order": {"type": "array", "items": {"type": "integer"}},
                   "selected": {"type": "array", "items": {"type": "integer"}},
                   "created_at": STAMP}})


def application_json(row):
    return {"id": row.id, "trial_id": row.trial_id, "user": user_json(row.user),
            "status": row.status, "rank": row.rank, "answers": service.answers_of(row),
            "created_at": iso(row.created_at)}


def trial_json(trial, detail=False):
    body = {"id": trial.id, "product": {"slug": trial.product.slug, "name": trial.product.name},
            "title": trial.title, "description": trial.description, "places": trial.places,
            "places_taken": trial.places_taken, "min_level": trial.min_level,
            "verified_required": trial.verified_required,
            "cocreators_first": trial.cocreators_first, "questions": service.asked(trial),
            "report_questions": service.report_asked(trial), "apply_by": iso(trial.apply_by),
            "report_due": iso(trial.report_due), "open": trial.is_open()}
    if detail:
        body["testers"] = [user_json(row.user) for row in service.testers(trial.id)]
        mine = service.application_of(trial.id, api_user())
        body["my_application"] = application_json(mine) if mine is not None else None
    return body


def report_json(report):
    return {"id": report.id, "trial_id": report.trial_id, "user": user_json(report.user),
            "answers": reports.answers_of(report), "public": report.public,
            "idea_id": report.idea_id, "photos": [p.filename for p in report.photos],
            "created_at": iso(report.created_at)}


def draw_json(logged):
    load = json.loads
    return {"id": logged.id, "seed": logged.seed, "entries": load(logged.entries),
            "order": load(logged.order), "selected": load(logged.selected),
            "created_at": iso(logged.created_at)}


@bp.get("/trials")
@api_doc("Trials, newest first", tag="trials", paged=True,
         query={"product": {"type": "string", "maxLength": 64,
                            "description": "Only this product's trials (its slug)."}},
         responses={200: {"type": "object", "required": ["items", "page", "per_page", "has_next"],
                          "properties": {"items": {"type": "array", "items": TRIAL},
                                         "page": {"type": "integer"},
                                         "per_page": {"type": "integer"},
                                         "has_next": {"type": "boolean"}}}})
def index():
    page, per_page = page_args()
    product = text_arg("product") or None
    if product is not None and len(product) > 64:
        raise DomainError(_("No such product."), field="product", code="bad_query")
    rows, has_next = service.list_trials(page, per_page, product)
    return {"items": [trial_json(t) for t in rows], "page": page, "per_page": per_page,
            "has_next": has_next}


@bp.get("/trials/<int:trial_id>")
@api_doc("A trial, with its testers (and, with a token, the caller's application)",
         tag="trials", responses={200: TRIAL}, errors=(404,))
def show(trial_id):
    return trial_json(service.get_trial(trial_id), detail=True)


@bp.post("/trials/<int:trial_id>/applications")
@api_doc("Apply to a trial", tag="trials", errors=(404, 409),
         request={"type": "object", "required": ["answers"], "additionalProperties": False,
                  "properties": {"answers": ANSWERS}},
         responses={201: APPLICATION},
         description="403 codes: level_required, email_unverified, banned. 409: trial_closed, "
                     "already_applied. 422 bad_answers names the question at fault.")
@token_required
def apply(trial_id):
    body = json_body()
    return application_json(service.apply(trial_id, require_user(), body["answers"])), 201


@bp.post("/trials/<int:trial_id>/confirm")
@api_doc("Confirm the place I was offered", tag="trials", responses={200: APPLICATION},
         errors=(404, 409), description="409 codes: not_selected, trial_full.")
@token_required
def confirm(trial_id):
    return application_json(selection.confirm(trial_id, require_user()))


@bp.post("/trials/<int:trial_id>/decline")
@api_doc("Give my place back (it goes to the next fan on the shortlist)", tag="trials",
         responses={200: APPLICATION}, errors=(404, 409))
@token_required
def decline(trial_id):
    return application_json(selection.decline(trial_id, require_user()))


@bp.post("/trials/<int:trial_id>/select")
@api_doc("Offer places to applicants (staff)", tag="trials", errors=(404, 409),
         request={"type": "object", "required": ["applications"], "additionalProperties": False,
                  "properties": {"applications": {
                      "type": "array", "minItems": 1, "maxItems": 100,
                      "items": {"type": "integer", "minimum": 1, "maximum": 2**53}}}},
         responses={200: {"type": "array", "items": APPLICATION}})
@staff_required
def select(trial_id):
    rows = selection.select_by_hand(trial_id, require_user(), json_body()["applications"])
    return [application_json(row) for row in rows]


@bp.post("/trials/<int:trial_id>/draw")
@api_doc("Draw testers for the free places (staff)", tag="trials", errors=(404, 409),
         request={"type": "object", "additionalProperties": False,
                  "properties": {"seed": {"type": ["string", "null"], "maxLength": 64}}},
         responses={201: DRAW},
         description="Weighted by 1 + each fan's points on the product's board; the rest are "
                     "shortlisted in draw order. 409 codes: trial_open, no_applicants.")
@staff_required
def run_draw(trial_id):
    seed = json_body().get("seed")
    return draw_json(selection.run_draw(trial_id, require_user(), seed)), 201


@bp.post("/trials/<int:trial_id>/report")
@api_doc("File my report as a tester", tag="trials", errors=(404, 409),
         request={"type": "object", "required": ["answers"], "additionalProperties": False,
                  "properties": {"answers": ANSWERS, "public": {"type": "boolean"}}},
         responses={201: REPORT},
         description="Photos are added on the web form. 403 not_a_tester; 409 report_closed, "
                     "already_reported.")
@token_required
def report(trial_id):
    body = json_body()
    filed = reports.file_report(trial_id, require_user(), body["answers"],
                                bool(body.get("public")))
    return report_json(filed), 201


@bp.get("/trials/<int:trial_id>/reports")
@api_doc("A trial's public reports", tag="trials", errors=(404,),
         responses={200: {"type": "array", "items": REPORT}})
def public_reports(trial_id):
    trial = service.get_trial(trial_id)
    return [report_json(r) for r in reports.reports(trial.id)]
