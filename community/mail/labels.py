"""Names of the mail choices and of the notification kinds, for settings and digests."""

from flask_babel import lazy_gettext as _l

KIND_NAMES = {
    "reply": _l("Replies to your threads and ideas"),
    "mention": _l("Mentions of you"),
    "idea_status": _l("Status changes on ideas you follow"),
    "idea_response": _l("Staff answers on ideas you follow"),
    "idea_merged": _l("Ideas you follow merged into others"),
    "round_opened": _l("Feedback rounds opening on boards you follow"),
    "round_accepted": _l("Ideas you voted for accepted from a round"),
    "new_idea": _l("New ideas from people you follow"),
}
CHOICE_NAMES = {"immediate": _l("Immediately"), "digest": _l("Daily digest"), "never": _l("Never")}
