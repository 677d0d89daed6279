"""The last values drawn, by key, per worker process."""

from collections import OrderedDict
from contextlib import suppress


class Recent:
    """Up to `keep` values by key: each drawn once, and the least recently asked for
    dropped first.

    A worker's threads share one: each dict operation is atomic, a sequence of them is
    not, so a key another thread dropped meanwhile is let go rather than raised. draw()
    runs unlocked (it may ask a Recent itself); two threads may both draw a new key."""

    def __init__(self, keep):
        self._values, self._keep = OrderedDict(), keep

    def get(self, key, draw):
        value = self._values.get(key)
        if value is None:
            value = self._values[key] = draw()
            while len(self._values) > self._keep:
                try:
                    self._values.popitem(last=False)
                except KeyError:  # emptied by another thread
                    break
        else:
            with suppress(KeyError):  # dropped by another thread since the lookup
                self._values.move_to_end(key)
        return value

    def peek(self, key):
        """The value kept for `key`, or None (drawing nothing)."""
        return self._values.get(key)

    def put(self, key, value):
        self.get(key, lambda: value)
