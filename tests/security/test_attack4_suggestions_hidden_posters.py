"""attack4: "@" suggestions put a thread's posters first, counting posts the asker cannot
see: one hidden by moderators, or removed by its author. The order told who had written
(and been hidden) in the thread."""

from helpers import make_thread, make_user
from sqlalchemy import update

from community.composer import people
from community.forum import service as forum
from community.forum.models import Post
from community.kernel.database import transaction
from community.kernel.extensions import db


def test_a_hidden_or_removed_post_does_not_rank_its_author(app):
    with app.app_context():
        asker = make_user("asker7")
        thread = make_thread(author=make_user())
        make_user("pat_a7")
        hidden_poster, removed_poster = make_user("pat_b7"), make_user("pat_c7")
        hidden = forum.reply(thread, hidden_poster, "Something moderators hid.")
        removed = forum.reply(thread, removed_poster, "Something I took back.")
        with transaction():
            db.session.execute(update(Post).where(Post.id == hidden.id).values(hidden=True))
        forum.delete_post(db.session.get(Post, removed.id), removed_poster)
        assert people.suggest(asker, "pat", thread.id) == ["pat_a7", "pat_b7", "pat_c7"]
