"""`make screenshots`: the main pages of the demo community at 390 px (a phone) and 1280 px
(a desktop), in Chinese and English, signed out and signed in, as PNG files for review.

    .venv/bin/python tests/e2e/screenshots.py [--out screenshots] [--full-page]

The folder is git-ignored: screenshots are looked at, never committed.
"""

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from demo_world import serve, set_language, sign_in  # noqa: E402

WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}
LANGUAGES = {"zh": "zh-CN", "en": "en-US"}


def _chromium():
    return shutil.which("chromium") or "/usr/bin/chromium"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="screenshots", help="folder for the PNG files")
    parser.add_argument("--full-page", action="store_true", help="the whole page, not the first screen")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright  # the dev extra: only this command needs it

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="fanforge-shots-") as folder:
        print("Loading the demo community...", flush=True)
        world, servers = serve(folder)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=_chromium(), args=["--no-sandbox"])
                count = 0
                for signed_in in (False, True):
                    for language, accept in LANGUAGES.items():
                        for size, (width, height) in WIDTHS.items():
                            context = browser.new_context(locale=accept, viewport={"width": width, "height": height})
                            page = context.new_page()
                            if signed_in:
                                sign_in(page, world)
                            set_language(page, world, language)
                            who = "fan" if signed_in else "visitor"
                            for name, path in world.more_pages(signed_in):
                                page.goto(world.base + path)
                                target = out / f"{name}-{who}-{language}-{size}.png"
                                page.screenshot(path=str(target), full_page=args.full_page)
                                count += 1
                            context.close()
                browser.close()
        finally:
            servers.stop_all()
    print(f"{count} screenshots in {out}/")


if __name__ == "__main__":
    main()
