"""The built-in methods' numbers did not move when they became registered one-file methods
(issue 24): 6 deterministic CPU steps of each, every weight and buffer and every metric hashed,
equal to the digests taken before the change (`golden/method_digests.json`)."""

from __future__ import annotations

import json

import pytest

from tests.ssl.method_digest import GOLDEN, digest

EXPECTED = json.loads(GOLDEN.read_text(encoding="utf-8"))


@pytest.mark.parametrize("method", sorted(EXPECTED))
def test_builtin_method_is_bitwise_what_it_was(tmp_path, method):
    assert digest(method, tmp_path) == EXPECTED[method]
