"""attack4: a new fan's links skipped the approval queue by way of an edit.

Until a fan has SPAM_FIRST_POSTS_HELD published posts, a post of theirs with links waits
for a moderator. screen.py says an edit "cannot wait (no publisher): a reason to hold
refuses them", but the links reason was only ever asked of publishable kinds: post
"hello", then edit it to carry the spam link, and it is live at once, never queued."""

import pytest
from helpers import make_thread, make_user
from sqlalchemy import func, select

from community.forum import service as forum
from community.gatekeeping.models import HeldPost
from community.kernel.errors import HeldForApproval, ValidationError
from community.kernel.extensions import db

SPAM = "Cheap bands at [our shop](https://spam.example/buy)"


@pytest.fixture
def gate(app):
    app.config.update(SPAM_FIRST_POSTS_HELD=2, LINKS_MIN_LEVEL=1)
    return app


def test_a_new_fans_link_cannot_arrive_by_edit(gate):
    with gate.app_context():
        thread = make_thread(author=make_user())
        newcomer = make_user("newcomer4")
        with pytest.raises(HeldForApproval):  # the front door: held
            forum.reply(thread, newcomer, SPAM)
        post = forum.reply(thread, newcomer, "Hello everyone, glad to be here!")
        with pytest.raises(ValidationError) as refused:  # the side door: refused too
            forum.edit_post(post, newcomer, SPAM)
        assert refused.value.code == "needs_approval"
        db.session.expire_all()
        assert "spam.example" not in db.session.get(type(post), post.id).body
        assert db.session.scalar(select(func.count()).select_from(HeldPost)) == 1


def test_an_established_fan_still_edits_links_in(gate):
    with gate.app_context():
        thread = make_thread(author=make_user())
        regular = make_user("regular4")
        forum.reply(thread, regular, "First post of mine here.")
        post = forum.reply(thread, regular, "Second post of mine here.")
        assert "spam.example" in forum.edit_post(post, regular, SPAM).body
