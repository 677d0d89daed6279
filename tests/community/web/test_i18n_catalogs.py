"""Chinese without `pybabel compile`: a catalog whose .mo is missing or older than its
.po is read from the .po (community/kernel/catalogs.py), so a host set up by hand, or a
release that skipped the step, still speaks Chinese."""

import os
import shutil
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import gettext

from app import create_app

ROOT = Path(__file__).resolve().parents[3]
PO = Path("zh") / "LC_MESSAGES" / "messages.po"


def _app(tmp_path, folder):
    return create_app({"TESTING": True, "SECRET_KEY": "x",
                       "BABEL_TRANSLATION_DIRECTORIES": str(folder),
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/unused.sqlite3",
                       "RATELIMIT_STORAGE_URI": "memory://", "CACHE_URL": "none"})


def _sign_in_word(app):
    with app.test_request_context(headers={"Accept-Language": "zh-CN,zh;q=0.9"}):
        return gettext("Sign in")


@pytest.fixture
def sources_only(tmp_path):
    """translations/ as a fresh clone has it: the .po files and no .mo."""
    folder = tmp_path / "translations"
    (folder / PO).parent.mkdir(parents=True)
    shutil.copy(ROOT / "translations" / PO, folder / PO)
    return folder


def test_a_catalog_never_compiled_is_read_from_its_source(tmp_path, sources_only, caplog):
    assert _sign_in_word(_app(tmp_path, sources_only)) == "登录"
    assert not (sources_only / PO).with_suffix(".mo").exists()  # nothing written
    assert "compiled in memory" in caplog.text  # and the operator is told


def test_a_compiled_catalog_older_than_its_source_gives_way(tmp_path, sources_only):
    """A release that pulled new .po text but skipped `pybabel compile`."""
    mo = (sources_only / PO).with_suffix(".mo")
    mo.write_bytes(b"not a catalog")  # would raise if it were read
    old = os.path.getmtime(sources_only / PO) - 60
    os.utime(mo, (old, old))
    assert _sign_in_word(_app(tmp_path, sources_only)) == "登录"


def test_a_current_compiled_catalog_is_what_is_read(tmp_path, sources_only):
    po = sources_only / PO
    with po.open("rb") as source, po.with_suffix(".mo").open("wb") as out:
        catalog = read_po(source, locale="zh")
        catalog.get("Sign in").string = "登录（已编译）"
        write_mo(out, catalog)
    assert _sign_in_word(_app(tmp_path, sources_only)) == "登录（已编译）"
