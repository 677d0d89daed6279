"""The phone shell and "accessible by default" (issue 24), in a real browser on the demo
community: the tab bar, no page wider than a 360 px phone, and axe-core on every main page,
signed out and in, at 390 and 1280 px, in Chinese and English.

One seeded world for the module (the tests only read it; the language a signed-in fan
picks is set by each test), one browser, one page per check."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from demo_world import serve, set_language, sign_in
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

LANGUAGES = {"zh": "zh-CN", "en": "en-US"}
# What axe may not find on any page: a WCAG 2.2 A or AA failure, serious or worse. (Its rules
# tagged best-practice are left out: they double the time a check takes.)
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
        "resultTypes": ["violations"]}
BLOCKING = ("serious", "critical")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    world, servers = serve(tmp_path_factory.mktemp("shell"))
    yield world
    servers.stop_all()


@pytest.fixture
def phone(browser):
    contexts = []

    def make(world, language="en", signed_in=False, width=390, height=844):
        context = browser.new_context(locale=LANGUAGES[language], viewport={"width": width, "height": height})
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        if signed_in:
            sign_in(page, world)
        set_language(page, world, language)
        return page

    yield make
    for context in contexts:
        context.close()


def test_the_tab_bar_takes_a_fan_everywhere_and_counts_what_is_unread(world, phone):
    page = phone(world, signed_in=True)
    page.goto(world.base + "/ideas")
    bar = page.get_by_test_id("tab-bar")
    expect(bar).to_be_visible()
    # The header keeps one row on a phone: its section links wait in the tab bar.
    assert page.locator(".site-header").bounding_box()["height"] <= 64
    expect(page.locator(".main-nav")).to_be_hidden()
    expect(bar.get_by_test_id("tab-ideas")).to_have_attribute("aria-current", "page")

    # The badge on Me counts unread notifications and conversations, as the bell does.
    bell = int(page.get_by_test_id("bell-count").inner_text())
    badge = bar.get_by_test_id("tab-badge")
    expect(badge).to_be_visible()
    envelope = page.get_by_test_id("envelope-count")
    unread = bell + (int(envelope.inner_text()) if envelope.count() else 0)
    assert badge.inner_text().strip().endswith(str(unread))
    for tab, path in (("products", "/products"), ("circles", "/circles"), ("home", "/")):
        bar.get_by_test_id(f"tab-{tab}").click()
        page.wait_for_url(world.base + path)
        expect(page.get_by_test_id("tab-bar").get_by_test_id(f"tab-{tab}")).to_have_attribute("aria-current", "page")

    page.get_by_test_id("tab-bar").get_by_test_id("tab-me").click()
    page.wait_for_url(world.base + "/me")
    expect(page.get_by_test_id("me-profile")).to_contain_text(world.username)
    page.get_by_test_id("me-preorders").click()
    page.wait_for_url(world.base + "/me/preorders")

    # A visitor's Me asks them to sign in; no badge is drawn for nobody.
    visitor = phone(world)
    visitor.goto(world.base + "/products")
    expect(visitor.get_by_test_id("tab-badge")).to_have_count(0)
    visitor.get_by_test_id("tab-me").click()
    expect(visitor).to_have_url(f"{world.base}/login?next=%2Fme")


def test_a_desktop_keeps_its_header_and_has_no_tab_bar(world, phone):
    page = phone(world, signed_in=True, width=1280, height=900)
    page.goto(world.base + "/ideas")
    expect(page.get_by_test_id("tab-bar")).to_be_hidden()
    expect(page.locator(".main-nav")).to_be_visible()
    expect(page.get_by_test_id("feed-link")).to_be_visible()


def test_the_skip_link_and_the_slash_key_lead_to_the_content_and_the_search(world, phone):
    page = phone(world)
    page.goto(world.base + "/ideas")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("#content")).to_be_focused()
    page.keyboard.press("/")
    expect(page.get_by_test_id("header-search")).to_be_focused()


def _too_small(page, selector, least=44):
    boxes = [page.locator(selector).nth(i).bounding_box() for i in range(page.locator(selector).count())]
    assert boxes, selector
    return [box for box in boxes if box and (box["width"] < least or box["height"] < least)]


def test_votes_likes_tabs_and_buttons_are_thumb_sized_and_inputs_do_not_zoom(world, phone):
    page = phone(world, signed_in=True)
    page.goto(world.base + "/ideas")
    assert _too_small(page, "[data-testid=vote-button]") == []
    assert _too_small(page, "[data-testid=tab-bar] a") == []
    page.goto(world.base + f"/t/{world.thread_id}")
    assert _too_small(page, "button.like") == []
    assert _too_small(page, "main .button:visible") == []
    sizes = page.eval_on_selector_all(
        "main textarea, main input:not([type=hidden]):not([type=checkbox]):not([type=radio]), .site-search input",
        "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))")
    assert sizes and min(sizes) >= 16


@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "fan"])
def test_no_main_page_is_wider_than_a_360_px_phone(world, phone, signed_in):
    for language in LANGUAGES:
        page = phone(world, language=language, signed_in=signed_in, width=360, height=740)
        wide = {}
        for name, path in world.more_pages(signed_in):
            page.goto(world.base + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 360:
                wide[f"{language} {name}"] = width
        assert wide == {}


# Each pair of values of any two of audience, width and language meets in one of these
# runs (an all-pairs cover of the 2 x 2 x 2 grid: 4 runs, not 8, each 9-17 s). What axe
# checks turns on the width (media queries) and on what the audience is shown; the
# language changes words, not colours, names or structure.
AXE_RUNS = [(False, 390, "zh"), (False, 1280, "en"), (True, 390, "en"), (True, 1280, "zh")]


@pytest.mark.parametrize(("signed_in", "width", "language"), AXE_RUNS,
                         ids=[f"{'fan' if s else 'visitor'}-{w}-{lang}" for s, w, lang in AXE_RUNS])
def test_axe_finds_nothing_serious_on_the_main_pages(world, phone, signed_in, width, language):
    page = phone(world, language=language, signed_in=signed_in, width=width, height=900)
    axe = Axe()
    found = {}
    for name, path in world.pages(signed_in):
        page.goto(world.base + path)
        results = axe.run(page, options=WCAG)
        for violation in results.response["violations"]:
            if violation["impact"] in BLOCKING:
                targets = [" ".join(node["target"]) for node in violation["nodes"][:3]]
                found.setdefault(name, []).append(f"{violation['id']} ({violation['impact']}): {targets}")
    assert found == {}
