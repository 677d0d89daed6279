"""The media tests' local storage: a folder of the test's own."""

import pytest


@pytest.fixture
def media_dir(app, tmp_path):
    folder = tmp_path / "media"
    app.config["MEDIA_DIR"] = str(folder)
    app.extensions.pop("media_storage", None)
    return folder
