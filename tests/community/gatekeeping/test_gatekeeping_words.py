"""Watched words and the copy measure, as pure functions (no database)."""

import pytest

from community.gatekeeping import similarity, words


def entries(*rows):
    return words.build([(i, p, r, a, rep) for i, (p, r, a, rep) in enumerate(rows, 1)])


def labels(found):
    return [e.label for e in found]


def test_a_latin_word_matches_whole_words_in_any_case():
    watched = entries(("spam", False, "hold", ""))
    assert labels(words.matches(watched, "Buy SPAM now", "hold")) == ["spam"]
    assert words.matches(watched, "spammer and antispam", "hold") == []
    # Chinese around it is no word: "买spam了" still holds it.
    assert labels(words.matches(watched, "快来买spam了", "hold")) == ["spam"]
    # Full-width letters fold to the word.
    assert labels(words.matches(watched, "ＳＰＡＭ", "hold")) == ["spam"]


def test_a_chinese_word_matches_anywhere():
    watched = entries(("代购", False, "block", ""))
    assert labels(words.matches(watched, "专业代购日本手办", "block")) == ["代购"]
    assert words.matches(watched, "代理购买", "block") == []


def test_actions_are_kept_apart_and_replace_rewrites():
    watched = entries(("傻瓜", False, "replace", "**"), ("idiot", False, "replace", "friend"),
                      ("scam", False, "block", ""))
    assert words.matches(watched, "you idiot", "block") == []
    assert words.replace(watched, "You IDIOT, 你这个傻瓜") == "You friend, 你这个**"
    # A replacement is text, never a regex template.
    assert words.replace(entries(("x", False, "replace", r"\1 $0")), "a x b") == r"a \1 $0 b"


def test_a_pattern_matches_as_written():
    watched = entries((r"v[x1]agra", True, "block", ""), (r"加\s*微\s*信", True, "hold", ""))
    assert labels(words.matches(watched, "cheap V1AGRA", "block")) == ["v[x1]agra"]
    assert labels(words.matches(watched, "请加 微 信 abc", "hold")) == [r"加\s*微\s*信"]


@pytest.mark.parametrize("pattern, problem", [
    ("", "empty"),
    ("a" * 201, "long"),
    ("(unclosed", "syntax"),
    ("x*", "empty_match"),
    ("(a|aa)+$", "slow"),
    (r"(\w+\s?)+$", "slow"),
])
def test_unsafe_or_useless_patterns_are_refused_when_saved(pattern, problem):
    with pytest.raises(words.BadPattern) as refused:
        words.check_pattern(pattern, True, 200)
    assert str(refused.value) == problem


def test_a_safe_pattern_is_saved_trimmed():
    assert words.check_pattern("  buy\\s+now ", True, 200) == "buy\\s+now"
    # A plain word is never a pattern: its brackets are text.
    assert words.check_pattern("(a|aa)+$", False, 200) == "(a|aa)+$"


def test_a_pattern_that_runs_out_of_time_holds_rather_than_hangs(monkeypatch):
    monkeypatch.setattr(words, "MATCH_TIMEOUT", 0.01)
    watched = entries(("(a|aa)+$", True, "hold", ""), ("(a|aa)+$", True, "replace", "x"))
    text = "a" * 60 + "!"
    assert labels(words.matches(watched, text, "hold")) == ["(a|aa)+$"]
    assert words.replace(watched, text) == text


def test_similarity_sees_copies_through_spacing_case_and_punctuation():
    text = "Great deals on figures, visit my shop today for 50% off everything!"
    near = "GREAT deals on figures!!  visit my shop today for 50% off everything"
    other = "The prototype's paint is lovely; the base wobbles a little though."
    assert similarity.jaccard(similarity.shingles(text), similarity.shingles(near)) >= 0.9
    assert similarity.jaccard(similarity.shingles(text), similarity.shingles(other)) < 0.2
    assert similarity.copies(text, [near, other, near], 0.8) == 2


def test_similarity_measures_chinese_and_skips_short_texts():
    a = "全场手办五折优惠，快来我的小店看看吧，数量有限先到先得"
    b = "全场手办五折优惠!快来我的小店看看吧~数量有限先到先得哦"
    assert similarity.copies(a, [b], 0.8) == 1
    assert similarity.shingles("谢谢分享") == frozenset()
    assert similarity.copies("+1", ["+1", "+1"], 0.8) == 0
