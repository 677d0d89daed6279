"""The questions of a trial's forms, and answers checked against them.

A question is {"key": "q1", "kind": ..., "label": ..., "choices": [...]}; kinds:
- application form: "text" (a short text), "choice" (one of `choices`), "device" (a device
  model, a short text shown as such);
- report form: "rating" (a whole number 1-5), "text" (a longer text).
Every question must be answered. Staff write a form one question a line,
"kind: label" and for a choice "choice: label | first | second", e.g.

    device: Which phone will you test it with?
    choice: How often do you listen? | daily | weekly | rarely
"""

import json

from flask_babel import gettext as _

from community.kernel.errors import ValidationError

APPLY_KINDS = ("text", "choice", "device")
REPORT_KINDS = ("rating", "text")
MAX_QUESTIONS = 12
LABEL_MAX = 200
SHORT_MAX, LONG_MAX = 200, 4000


def parse(text, kinds, field):
    """Questions from staff's lines; ValidationError naming the line at fault."""
    questions = []
    for number, line in enumerate((text or "").splitlines(), 1):
        if not line.strip():
            continue
        kind, sep, rest = line.partition(":")
        kind = kind.strip().lower()
        parts = [p.strip() for p in rest.split("|")]
        label, choices = parts[0], [c for c in parts[1:] if c]
        if not sep or kind not in kinds or not label or len(label) > LABEL_MAX:
            raise ValidationError(
                _("Line %(n)d: write \"kind: question\" with a kind of %(kinds)s.", n=number,
                  kinds=", ".join(kinds)), field=field, code="bad_question")
        if (kind == "choice") != bool(choices) or (kind == "choice" and len(choices) < 2):
            raise ValidationError(
                _("Line %(n)d: a choice lists two or more answers after \"|\"; other kinds none.",
                  n=number), field=field, code="bad_question")
        question = {"key": f"q{len(questions) + 1}", "kind": kind, "label": label}
        if choices:
            question["choices"] = choices
        if kind == "text" and kinds == REPORT_KINDS:
            question["long"] = True  # a report's text may run long; an application's not
        questions.append(question)
    if len(questions) > MAX_QUESTIONS:
        raise ValidationError(_("A form has %(n)d questions at most.", n=MAX_QUESTIONS),
                              field=field, code="bad_question")
    return questions


def as_text(questions):
    """The lines `parse` reads back into these questions."""
    return "\n".join(f"{q['kind']}: {' | '.join([q['label'], *q.get('choices', [])])}"
                     for q in questions)


def load(stored):
    return json.loads(stored or "[]")


def check_answers(questions, answers):
    """{key: answer} for every question, each checked for its kind (ValidationError
    naming the first question at fault); keys no question has are refused."""
    if not isinstance(answers, dict):
        raise ValidationError(_("Answer the questions."), field="answers", code="bad_answers")
    keys = {q["key"] for q in questions}
    for key in answers:
        if key not in keys:
            raise ValidationError(_("There is no such question."), field=str(key)[:32],
                                  code="bad_answers")
    clean = {}
    for q in questions:
        value = answers.get(q["key"])
        clean[q["key"]] = _check(q, value)
    return clean


def _check(question, value):
    key, kind = question["key"], question["kind"]
    if kind == "rating":
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            raise ValidationError(_("Rate %(label)s from 1 to 5.", label=question["label"]),
                                  field=key, code="bad_answers")
        return value
    value = value.strip() if isinstance(value, str) else None
    if not value:
        raise ValidationError(_("Answer \"%(label)s\".", label=question["label"]), field=key,
                              code="bad_answers")
    if kind == "choice" and value not in question["choices"]:
        raise ValidationError(_("Pick one of the answers to \"%(label)s\".",
                                label=question["label"]), field=key, code="bad_answers")
    limit = LONG_MAX if question.get("long") else SHORT_MAX
    if len(value) > limit:
        raise ValidationError(_("Use at most %(n)d characters.", n=limit), field=key,
                              code="bad_answers")
    return value
