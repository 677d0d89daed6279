"""`flask demo load` gives two fans uploaded avatars; the others show generated defaults."""

import pytest

from community.accounts import service as accounts


@pytest.fixture
def demo(sqlite_app):
    sqlite_app.config["MEDIA_STORAGE"] = "database"  # the files stay out of the instance folder
    result = sqlite_app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return sqlite_app


def test_demo_fans_have_avatars_shown_on_their_profiles(demo):
    with demo.app_context():
        lilei = accounts.get_by_username("lilei")
        assert lilei.avatar and accounts.get_by_username("fan05").avatar is None
        user_id, token = lilei.id, lilei.avatar
    client = demo.test_client()
    page = client.get("/u/lilei").get_data(as_text=True)
    assert f"/avatars/{user_id}/{token}-96.png" in page
    assert client.get(f"/avatars/{user_id}/{token}-96.png").mimetype == "image/png"
    assert "/avatars/default/" in client.get("/u/fan05").get_data(as_text=True)
