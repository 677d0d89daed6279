"""Staff keep the watched words: add (checked: patterns must be safe), list, remove."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..forum import moderation
from ..kernel.database import transaction, utcnow
from ..kernel.errors import NotFound, ValidationError
from ..kernel.extensions import db
from . import words
from .models import ACTIONS, PATTERN_MAX, REPLACEMENT_MAX, WatchedWord

ACTION_NAMES = {
    "block": _l("Block: refuse the post"),
    "hold": _l("Hold: wait for approval"),
    "replace": _l("Replace with…"),
}

PATTERN_PROBLEMS = {
    "empty": lambda: _("Write a word or a pattern."),
    "long": lambda: _("Keep it to %(n)d characters or fewer.", n=PATTERN_MAX),
    "syntax": lambda: _("This is not a valid regular expression."),
    "empty_match": lambda: _("This pattern matches empty text, so it would match every post."),
    "slow": lambda: _("This pattern takes too long on some texts (nested repeats such as "
                      "(a+)+). Write it more simply."),
}


def all_words():
    return db.session.scalars(select(WatchedWord).order_by(WatchedWord.action,
                                                           WatchedWord.pattern)).all()


def add_word(staff, pattern, is_regex, action, replacement=""):
    moderation.ensure_staff(staff)
    if action not in ACTIONS:
        raise ValidationError(_("Pick what a match does."), field="action")
    try:
        pattern = words.check_pattern(pattern, bool(is_regex), PATTERN_MAX)
    except words.BadPattern as problem:
        raise ValidationError(PATTERN_PROBLEMS[str(problem)](), field="pattern",
                              code="bad_pattern") from None
    replacement = (replacement or "").strip() if action == "replace" else ""
    if action == "replace" and not replacement:
        raise ValidationError(_("Say what to put in its place."), field="replacement")
    if len(replacement) > REPLACEMENT_MAX:
        raise ValidationError(_("Keep it to %(n)d characters or fewer.", n=REPLACEMENT_MAX),
                              field="replacement")
    try:
        with transaction():
            word = WatchedWord(pattern=pattern, is_regex=bool(is_regex), action=action,
                               replacement=replacement, created_by=staff.id, created_at=utcnow())
            db.session.add(word)
            db.session.flush()
            moderation.record(staff, "watch_word", "watched_word", word.id, pattern[:200])
    except IntegrityError:
        raise ValidationError(_("That word is already watched."), field="pattern",
                              code="duplicate") from None
    return word


def remove_word(staff, word_id):
    moderation.ensure_staff(staff)
    with transaction():
        pattern = db.session.scalar(select(WatchedWord.pattern).where(WatchedWord.id == word_id))
        if pattern is None:
            raise NotFound(_("No such watched word."))
        db.session.execute(delete(WatchedWord).where(WatchedWord.id == word_id))
        moderation.record(staff, "unwatch_word", "watched_word", word_id, pattern[:200])
