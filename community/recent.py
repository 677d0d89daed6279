"""The last values drawn, by key, per worker process."""

from collections import OrderedDict


class Recent:
    """Up to `keep` values by key: each drawn once, and the least recently asked for
    dropped first."""

    def __init__(self, keep):
        self._values, self._keep = OrderedDict(), keep

    def get(self, key, draw):
        value = self._values.get(key)
        if value is None:
            value = self._values[key] = draw()
            if len(self._values) > self._keep:
                self._values.popitem(last=False)
        else:
            self._values.move_to_end(key)
        return value
