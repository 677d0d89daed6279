"""A small world for the roadmap tests: two boards, ideas at every roadmap status, a
hidden one, one grown into a product with a co-creator staff granted."""

from helpers import make_board, make_user

from community.forum import moderation
from community.forum import service as forum
from community.ideas import service as ideas
from community.ideas import statuses
from products.catalog import participation, promotion


def build(app):
    """{name: id or slug} of what the tests look for."""
    with app.app_context():
        band, home = make_board("band", "Band"), make_board("home", "Home")
        lin, kai, mei = make_user("lin"), make_user("kai"), make_user("mei")
        boss = make_user("boss", role="staff")
        planned = ideas.propose(band, lin, "Longer battery", "Two weeks, please.")
        popular = ideas.propose(band, kai, "Sleep tracking", "Track my naps.")
        building = ideas.propose(home, mei, "Dark dashboard", "Easier at night.")
        done = ideas.propose(band, lin, "Bigger screen", "I cannot read it.")
        hidden = ideas.propose(band, kai, "Secret hidden plan", "Shh.")
        fresh = ideas.propose(band, mei, "Louder alarm", "I sleep through it.")
        ideas.vote(popular.id, lin)
        ideas.vote(popular.id, mei)
        ideas.vote(planned.id, mei)
        for idea, status in ((planned, "planned"), (popular, "planned"),
                             (building, "in_progress"), (done, "shipped"),
                             (hidden, "planned")):
            statuses.change_status(idea.id, boss, status, f"Now {status}.")
        moderation.set_thread_hidden(forum.get_thread(hidden.thread_id, boss), boss, True,
                                     "Not for now")
        product = promotion.promote(boss, [planned.id], "Band Pro", "band-pro",
                                    "A band that lasts.")
        participation.grant(product, boss, "mei")
        return {"planned": planned.id, "popular": popular.id, "building": building.id,
                "done": done.id, "hidden": hidden.id, "fresh": fresh.id, "product": "band-pro",
                "boss": boss.id}
