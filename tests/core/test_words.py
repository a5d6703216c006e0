"""Counted nouns (issue 23: "1 patches", "1 threads")."""

from papernotes.core.words import count


def test_one_is_singular_and_the_rest_plural():
    assert [count(n, "thread") for n in (0, 1, 2)] == ["0 threads", "1 thread", "2 threads"]
    assert count(1, "patch", "patches") == "1 patch" and count(3, "patch", "patches") == "3 patches"
    assert count(1, "process", "processes") == "1 process"
