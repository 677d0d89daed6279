"""The page cache: whole pages stored once and shared by everyone who sees the same, with
what is a reader's own left as holes filled in per response.

What a feature author does, and all they do:

1. Mark the view: @public_page (its page is stored for visitors) or
   @public_page(members=True) (signed-in fans share it too, one copy per role).
2. Name its holes: whatever the page shows of its reader (their name, votes, counts,
   edit links) is a hole in the template, filled per response for whoever is looking.
   The rest of the render knows its reader only as the audience key does (signed in or
   not, role, staff, admin, banned); reading anything else of current_user, the session
   or a cookie raises PersonalRead in the tests (PAGE_CACHE_STRICT, on under TESTING),
   and in production keeps the page to its reader (not stored).
3. Declare facts: a hole whose HTML is kept for every reader alike names, in a
   NamedTuple, all it shows of its reader; it is drawn from those facts alone.

What a page depends on is not declared: every SELECT of its render is noted as it runs
(community/kernel/dependencies/), and the page is stale once a commit writes what one
of them read. A table no visitor may see says so (__table_args__ = private_table()); a
counter that may lag a few seconds says so too (mapped_column(..., info=live())).

The interface:

    @public_page, @public_page(members=True)   mark a view whose page may be stored
    per_user(name, arg), per_user_if(name, arg, caller)
                                                template globals: a hole drawn per reader by a
                                                renderer, or a branch chosen by a predicate
    register_renderer(name, draw)               draw(user, args) -> {arg: html} for a hole
    register_predicate(name, test)              test(user, args) -> the args that hold
    remember(name, arg, facts, draw)            a renderer's HTML kept per facts (a NamedTuple
                                                of all it shows of its reader): draw(facts)
    register_hit_action(name, fn), replay_on_hit(name, *args)
                                                what a view does for every view (a counter),
                                                done again when its page comes from the cache
    submit_token(), csrf_placeholder()          per-response tokens a stored page leaves out
    not_shared()                                rare: a view whose response to some readers is
                                                only a redirect or a 404 decided by who they
                                                are (a circle's thread) says so before asking
    is_personal()                               whether this response is its reader's own
    PersonalRead                                what strict mode raises
    init_app(app)                               first, before other after_request functions
    init_serving(app)                           last: hits are served after the other hooks

Inside: serving.py (keys, storing, freshness and serving, versions moved on commit), audience.py (who
may share a page, and the guards that keep a shared render from its reader), holes.py
(the holes and their kept HTML), tokens.py (CSRF and submit tokens), markers.py (the secret
marks that delimit holes and tokens), stores/ (where pages live: SQLite, Redis, memory).

In the usual words: a hole is a fragment (an ESI-style include) filled per response; what a
hole keeps is a cached fragment; its facts are the vary key of that fragment; the audience
(visitors, or a role) and the URL and language make the page's cache key; the keys a page
read are its surrogate keys (cache tags), each with a version a commit moves (key-based
expiration); the generation is the cache's namespace, replaced only when the store cannot
be trusted or a write ran SQL nobody could read.
"""

from . import holes, markers, serving
from .audience import PersonalRead, is_personal, not_shared
from .holes import per_user, per_user_if, register_predicate, register_renderer, remember
from .serving import init_serving, public_page, register_hit_action, replay_on_hit
from .tokens import csrf_placeholder, submit_token

__all__ = [
    "PersonalRead", "csrf_placeholder", "init_app", "init_serving", "is_personal", "not_shared",
    "per_user",
    "per_user_if", "public_page", "register_hit_action", "register_predicate",
    "register_renderer", "remember", "replay_on_hit", "submit_token",
]


def init_app(app):
    """Call before the other extensions register their after_request functions: Flask runs
    those in reverse order, and a page must be stored after all of them."""
    serving.init_app(app)
    markers.init_app(app)
    holes.init_app(app)
