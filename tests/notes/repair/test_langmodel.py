"""The language model behind the repair: real wordfreq data, a real on-disk cache."""

from __future__ import annotations

import marshal

import pytest

from papernotes.notes.repair import langmodel as lm


def test_common_words_beat_rare_look_alikes():
    assert lm.text_logp("学习") > lm.text_logp("孥习")
    assert lm.text_logp("对比学习") > lm.text_logp("对比孥习")
    # a word scores better than its characters apart: 论文 is one token
    assert lm.word_logp("论文") > lm.char_logp("论") + lm.char_logp("文")


def test_traditional_text_is_folded_only_when_asked():
    assert lm.word_logp("學習", traditional=True) == lm.word_logp("学习")
    assert lm.word_logp("學習") is None


def test_pair_model_knows_what_follows_what():
    assert lm.pair_pmi("学", "习") > 0 > lm.pair_pmi("学", "丐")


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    lm._pairs.cache_clear()
    yield tmp_path / "papernotes"
    lm._pairs.cache_clear()


def test_pair_table_is_cached_on_disk_and_a_corrupt_cache_is_rebuilt(fresh_cache):
    table = lm._pairs()
    files = list(fresh_cache.glob("zh-pairs-wordfreq-*.marshal"))
    assert len(files) == 1
    assert marshal.loads(files[0].read_bytes())[3] == pytest.approx(table[3])
    files[0].write_bytes(b"not marshal data")
    lm._pairs.cache_clear()
    again = lm._pairs()
    assert again[3] == pytest.approx(table[3]) and again[0]["学习"] == table[0]["学习"]
    assert marshal.loads(files[0].read_bytes())[3] == pytest.approx(table[3])


def test_window_scores_equal_whole_text_scores():
    import random

    rng = random.Random(1)
    pool = "对比学习的图像块词话中不，。SimCLR 12 😀⭐\x00é"
    mids = ["块", "吗", "\x00", "，", "😀", "é"]
    for _ in range(200):
        left = "".join(rng.choice(pool) for _ in range(rng.randint(0, 4)))
        right = "".join(rng.choice(pool) for _ in range(rng.randint(0, 4)))
        got = lm.window_logps(left, mids, right)
        assert got == pytest.approx([lm.text_logp(left + m + right) for m in mids], abs=1e-9)
