"""Social proof along the relationship chain: of the people you follow, and of the members
of your circles, who backed or voted for this ("Li and 4 others you follow backed this").

A kind registers who supports a target as a SELECT of user ids: the community registers
idea voters, products/ registers a product's backers. A proof costs one query whatever
the sizes involved: one statement for both groups, each counting with a window function
while naming up to three people; the database meets the sets, nothing is loaded to be
counted.
"""

from dataclasses import dataclass
from functools import cache, reduce

from babel import Locale
from babel.lists import format_list
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import bindparam, func, literal, select, union_all

from ..accounts.follows import followed
from ..accounts.models import User
from ..circles.models import CircleMember
from ..ideas.models import Vote
from ..kernel.compiled import rows_of
from ..web.pagecache import per_user

NAMES = 3
# kind -> (supporters(target_id) -> SELECT user_id, verb: "backed" or "voted")
SUPPORTERS = {}


@dataclass(frozen=True)
class Group:
    count: int
    names: list

    @property
    def others(self):
        return self.count - len(self.names)


def register(kind, supporters, verb="backed"):
    SUPPORTERS[kind] = (supporters, verb)


@cache
def _statement(supporters_of):
    """Both groups' first names and sizes for one kind's supporters, in one statement
    built once and bound to :viewer_id and :target_id."""
    viewer = bindparam("viewer_id")
    supporters = supporters_of(bindparam("target_id"))
    people_followed = followed(viewer, "user")
    mine = select(CircleMember.circle_id).where(CircleMember.user_id == viewer)
    circle_people = select(CircleMember.user_id).where(
        CircleMember.circle_id.in_(mine), CircleMember.user_id != viewer,
        CircleMember.user_id.not_in(people_followed))

    # Probed per person (a few dozen followed), not listed: a product's backers run to
    # thousands, and listing them cost 0.35 ms a page.
    supports = supporters.where(supporters.selected_columns[0] == User.id).exists()

    def group(number, people):
        return select(literal(number).label("grp"), User.username,
                      func.count().over().label("total")) \
            .where(User.id.in_(people), supports) \
            .order_by(User.username).limit(NAMES).subquery()

    return union_all(*(select(group(n, people)) for n, people in
                       ((1, people_followed), (2, circle_people)))).order_by("grp", "username")


def proof(kind, target_id, viewer):
    """(followed, circles): the two groups' supporters; circles leaves out people followed."""
    if kind not in SUPPORTERS or viewer is None or not viewer.is_authenticated:
        return None
    rows = rows_of(_statement(SUPPORTERS[kind][0]), viewer_id=viewer.id, target_id=target_id)
    return tuple(Group(next((total for grp, _name, total in rows if grp == n), 0),
                       [name for grp, name, _total in rows if grp == n]) for n in (1, 2))


def _names(group):
    """"Li, Wang and Zhang" when they are all; "Li, Wang, Zhang" before "and 4 others"."""
    locale = get_locale() or Locale.parse("en")
    if not group.others:
        return format_list(group.names, locale=locale)
    middle = locale.list_patterns["standard"]["middle"]
    return reduce(lambda done, name: middle.format(done, name), group.names)


def _followed_line(group, verb):
    names = _names(group)
    if verb == "voted":
        if group.others:
            return ngettext("%(names)s and %(num)d other you follow voted for this",
                            "%(names)s and %(num)d others you follow voted for this",
                            group.others, names=names)
        return _("%(names)s, whom you follow, voted for this", names=names)
    if group.others:
        return ngettext("%(names)s and %(num)d other you follow backed this",
                        "%(names)s and %(num)d others you follow backed this",
                        group.others, names=names)
    return _("%(names)s, whom you follow, backed this", names=names)


def _circle_line(group, verb):
    names = _names(group)
    if verb == "voted":
        if group.others:
            return ngettext("%(names)s and %(num)d other from your circles voted for this",
                            "%(names)s and %(num)d others from your circles voted for this",
                            group.others, names=names)
        return _("%(names)s from your circles voted for this", names=names)
    if group.others:
        return ngettext("%(names)s and %(num)d other from your circles backed this",
                        "%(names)s and %(num)d others from your circles backed this",
                        group.others, names=names)
    return _("%(names)s from your circles backed this", names=names)


def lines(kind, target_id, viewer):
    found = proof(kind, target_id, viewer)
    if found is None:
        return []
    verb = SUPPORTERS[kind][1]
    people, circles = found
    out = []
    if people.count:
        out.append(_followed_line(people, verb))
    if circles.count:
        out.append(_circle_line(circles, verb))
    return out


def render(kind, target_id):
    """Template global: the proof lines for the signed-in reader, left as a hole of the
    page (community/web/pagecache/holes.py) that render_holes fills for whoever is looking."""
    return per_user("social_proof", f"{kind}:{target_id}")


def render_holes(user, args):
    out = {}
    for arg in args:
        kind, _, target_id = arg.partition(":")
        found = lines(kind, int(target_id), user)
        if found:
            items = Markup("").join(Markup("<span>%s</span>") % line for line in found)
            out[arg] = Markup('<p class="social-proof" data-testid="social-proof">%s</p>') % items
    return out


def idea_voters(idea_id):
    return select(Vote.user_id).where(Vote.idea_id == idea_id)


def init_app(app):
    register("idea", idea_voters, "voted")
    app.add_template_global(render, "social_proof")
