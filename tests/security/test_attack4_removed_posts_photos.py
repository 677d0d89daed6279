"""attack4: "remove my posts" left their photos served.

Closing an account with "Remove my posts and messages" blanked the posts and reviews, but
the photos attached to them stayed in storage and /media/<name> kept serving them to
anyone holding the link (a link that was on a public page, in search engines' and
readers' caches). Removed posts and reviews now take their photos with them: the rows go
in the closing transaction (so /media answers 404 from its commit), the files after it.
Kept posts keep theirs, and nobody else's photos go."""

import io
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "products" / "reviews"))

import pytest  # noqa: E402
from helpers import make_thread, make_user  # noqa: E402
from PIL import Image  # noqa: E402
from review_factories import place, shop  # noqa: E402
from sqlalchemy import select  # noqa: E402
from test_attack4_closure_identity import _close  # noqa: E402
from werkzeug.datastructures import FileStorage  # noqa: E402

from community.forum import service as forum  # noqa: E402
from community.kernel.database import transaction  # noqa: E402
from community.kernel.extensions import db  # noqa: E402
from community.media import service as media  # noqa: E402
from community.media.models import MediaImage  # noqa: E402
from products.reviews import service as reviews  # noqa: E402


def _png():
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (30, 200, 30)).save(out, "PNG")
    out.seek(0)
    return out


def _photo(user):
    return media.prepare([FileStorage(_png(), filename="me.png")], user)


def _names(uploader_id):
    return [name for pair in db.session.execute(
        select(MediaImage.name, MediaImage.thumb_name).where(MediaImage.uploader_id == uploader_id))
        for name in pair]


@pytest.fixture
def storage(app, tmp_path):
    """Uploads in the test's own folder, so the files themselves can be looked for."""
    app.config["MEDIA_DIR"] = str(tmp_path / "media")
    app.extensions.pop("media_storage", None)
    return tmp_path / "media"


@pytest.mark.parametrize("keep_posts", [False, True], ids=["removed", "kept"])
def test_removed_posts_and_reviews_take_their_photos_with_them(app, storage, keep_posts):
    with app.app_context():
        found = shop()
        zoe = found["buyer"]  # a buyer with a delivered order; staff attach images at once
        with transaction():
            zoe.role = "staff"
        thread = make_thread(author=make_user())
        forum.reply(forum.get_thread(thread.id, zoe), zoe, "My face at the meetup",
                    images=_photo(zoe))
        reviews.create_review(found["order"], zoe, 5, "Look at it", images=_photo(zoe))
        other = make_user("other_photos", role="staff")
        forum.reply(forum.get_thread(thread.id, other), other, "Mine stays", images=_photo(other))
        place(found["campaign"], other, "k-other", staff=found["staff"])
        zoes, others = _names(zoe.id), _names(other.id)
        assert len(zoes) == 4 and len(others) == 2  # two images and two thumbnails
        _close(zoe.id, keep_posts=keep_posts)
    client = app.test_client()
    served = {name: client.get(f"/media/{name}").status_code for name in zoes + others}
    on_disk = {name: any(storage.rglob(name)) for name in zoes + others}
    assert {served[name] for name in others} == {200} and all(on_disk[n] for n in others)
    if keep_posts:
        assert {served[name] for name in zoes} == {200} and all(on_disk[n] for n in zoes)
    else:
        assert {served[name] for name in zoes} == {404}, served
        assert not any(on_disk[name] for name in zoes), on_disk
