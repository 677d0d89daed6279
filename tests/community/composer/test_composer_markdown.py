"""Bare URLs and @mentions in what fans write (community/web/markdown.py): no database."""

import pytest

from community.web.markdown import has_links_or_images, render


def test_a_bare_url_becomes_a_link_and_a_file_name_does_not():
    html = render("see https://example.com/a?b=1 and setup.py or mi.cn")
    assert '<a href="https://example.com/a?b=1" rel="nofollow ugc">https://example.com/a?b=1</a>' in html
    assert "setup.py or mi.cn" in html and html.count("<a ") == 1


@pytest.mark.parametrize("text, name", [
    ("thanks @lilei!", "lilei"),
    ("你好@小明，看看这个", "小明"),
    ("@Han-Meimei first", "Han-Meimei"),
])
def test_a_mention_links_to_the_profile(text, name):
    html = render(text)
    assert f'<a href="/u/{name}" class="mention" rel="nofollow ugc">@{name}</a>' in html


@pytest.mark.parametrize("text", [
    "write to fan@example.com",  # an e-mail address is not a mention
    "`@decorator` in code",
    "a path /a/@b",
    "@x",  # a name has two characters at least
])
def test_what_is_not_a_mention(text):
    assert 'class="mention"' not in render(text)


def test_a_mention_is_not_a_link_for_the_spam_guard_but_a_bare_url_is():
    assert not has_links_or_images("hi @lilei and @hanmeimei")
    assert has_links_or_images("look: https://spam.example")
    assert has_links_or_images("[x](https://spam.example) @lilei")

