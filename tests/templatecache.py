"""One compiled copy of each template for the whole run.

Every test builds its own app, and each app's Jinja environment parses and compiles a
template the first time it renders it: ~40 ms of a test's first page, the same work in
every test. Jinja's bytecode cache (its public `BytecodeCache` interface) keeps the
compiled code by template name and a checksum of the source, so an edited template is
compiled again; `build_app` (tests/helpers.py) gives every test app this one, in memory.
"""

from jinja2 import BytecodeCache


class SharedBytecode(BytecodeCache):
    def __init__(self):
        self._codes = {}

    def load_bytecode(self, bucket):
        code = self._codes.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)  # a stale checksum resets the bucket

    def dump_bytecode(self, bucket):
        self._codes[bucket.key] = bucket.bytecode_to_string()


SHARED = SharedBytecode()
