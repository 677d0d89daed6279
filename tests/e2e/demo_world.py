"""The demo community (`flask --app app demo load`) served by gunicorn, and the main pages
a fan opens: what the phone-shell browser tests (test_shell_browser.py) and
`make screenshots` (screenshots.py) walk.

Seeding takes some seconds, so the tests do it once per module and only read after it.
"""

import sys
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

TESTS = Path(__file__).resolve().parent.parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

from helpers import build_app  # noqa: E402
from servers import LiveServers  # noqa: E402

from community.accounts.models import User  # noqa: E402
from community.forum.models import Thread  # noqa: E402
from community.ideas.models import Idea  # noqa: E402
from community.kernel.extensions import db  # noqa: E402
from demo.cli import LOGINS  # noqa: E402
from products.catalog.models import Product  # noqa: E402

PASSWORDS = {name: password for name, _email, password, _role in LOGINS}
FAN = "lilei"

# What a live server needs that the tests' own fixtures (live_servers) set in the environment.
SERVER_ENV = {
    "FANFORGE_QUEUE_URL": "memory://",
    "FANFORGE_MAIL_BACKEND": "locmem",
    "FANFORGE_REQUIRE_VERIFIED_EMAIL": "false",
}


@dataclass(frozen=True)
class World:
    base: str
    thread_id: int
    idea_id: int
    product_slug: str
    username: str = FAN

    def pages(self, signed_in):
        """The main pages, (name, path): every tab of the shell and what a fan reads most.
        Signed in, their own pages too."""
        pages = [
            ("home", "/"),
            ("ideas", "/ideas"),
            ("idea", f"/ideas/{self.idea_id}"),
            ("thread", f"/t/{self.thread_id}"),
            ("products", "/products"),
            ("product", f"/products/{self.product_slug}"),
            ("circles", "/circles"),
            ("search", "/search?q=%E6%89%8B%E7%8E%AF"),
            ("profile", f"/u/{self.username}"),
        ]
        if signed_in:
            return pages + [("me", "/me"), ("notifications", "/notifications"),
                            ("preorders", "/me/preorders"), ("settings", "/settings")]
        return pages + [("login", "/login")]

    def more_pages(self, signed_in):
        """The main pages and the rest of the sections a phone reaches from the footer."""
        more = [("rounds", "/rounds"), ("roadmap", "/roadmap"), ("leaderboards", "/leaderboards"),
                ("latest", "/latest")]
        if signed_in:
            more.append(("conversations", "/conversations"))
        else:
            more.append(("register", "/register"))
        return self.pages(signed_in) + more


def seed(folder):
    """A SQLite database under `folder` holding the demo community; returns (url, facts)."""
    folder = Path(folder)
    url = f"sqlite:///{folder / 'demo.sqlite3'}"
    app = build_app(url, folder, SEARCH_DIR=str(folder / "search"), UPLOAD_DIR=str(folder / "uploads"))
    with app.app_context():
        db.create_all()
        result = app.test_cli_runner().invoke(args=["demo", "load"])
        if result.exit_code != 0:
            raise RuntimeError(f"demo load failed: {result.output}") from result.exception
        facts = {
            "thread_id": db.session.scalar(select(Thread.id).order_by(Thread.id)),
            "idea_id": db.session.scalar(select(Idea.id).order_by(Idea.id)),
            "product_slug": db.session.scalar(select(Product.slug).order_by(Product.id)),
        }
        assert db.session.scalar(select(User.id).where(User.username == FAN))
        db.session.remove()
        db.engine.dispose()
    return url, facts


def serve(folder, workers=2):
    """Seed the demo under `folder` and serve it; returns (World, LiveServers) (stop_all() them)."""
    url, facts = seed(folder)
    servers = LiveServers(Path(folder))
    env = dict(SERVER_ENV, FANFORGE_SEARCH_DIR=str(Path(folder) / "search"),
               FANFORGE_UPLOAD_DIR=str(Path(folder) / "uploads"))
    base = servers.start(url, workers=workers, env=env)
    return World(base=base, **facts), servers


def sign_in(page, world, username=FAN):
    page.goto(world.base + "/login")
    page.fill("#login", username)
    page.fill("#password", PASSWORDS[username])
    page.click("[data-testid=submit-login]")
    page.wait_for_url(world.base + "/")


def set_language(page, world, language):
    """The site's language, as a reader picks it (the switch in the header)."""
    page.goto(world.base + "/")
    current = page.locator("html").get_attribute("lang")
    if current.startswith(language):
        return
    page.locator("[data-testid=switch-locale]").first.click()
    page.wait_for_load_state()
