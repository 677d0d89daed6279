"""Attack 6: an id past PostgreSQL's 32-bit integer columns (but within the 64 bits the
URL converter takes) answers a 4xx on every database, never a 500."""

import pytest

BIG = 3_000_000_000


@pytest.mark.parametrize("path", [f"/t/{BIG}", f"/ideas/{BIG}", f"/p/{BIG}/like"])
def test_an_id_past_32_bits_is_not_a_500(client, path):
    assert client.get(path).status_code < 500
