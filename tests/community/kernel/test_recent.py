from collections import OrderedDict

from community.kernel.recent import Recent


def test_each_key_is_drawn_once_and_the_least_recent_goes_first():
    drawn = []
    recent = Recent(2)

    def get(key):
        return recent.get(key, lambda: drawn.append(key) or key.upper())

    assert [get("a"), get("b"), get("a")] == ["A", "B", "A"]
    assert get("c") == "C"  # "b" was asked for least recently: it goes
    assert [get("a"), get("b")] == ["A", "B"]
    assert drawn == ["a", "b", "c", "b"]


class _EvictedRightAfterTheLookup(OrderedDict):
    """As if another thread of the worker dropped each key just after it was found."""

    def get(self, key, default=None):
        value = super().get(key, default)
        self.pop(key, None)
        return value


def test_a_key_another_thread_dropped_meanwhile_is_still_answered():
    recent = Recent(4)
    recent._values = _EvictedRightAfterTheLookup(a="A")
    assert recent.get("a", lambda: "drawn again") == "A"
