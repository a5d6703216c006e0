"""A word-level language model of real text, from wordfreq's frequency lists (zh, en).

`text_logp(s)` is the log-probability of the most probable segmentation of `s` into words
under a unigram word model: Chinese words (up to 4 characters, Traditional folded to
Simplified as wordfreq does) and Latin words looked up in wordfreq's Chinese and English
lists; characters absent from both fall back to a floor set by their Unicode category (not
per character). Used to choose among the characters a lost byte could have been.
"""

from __future__ import annotations

import math
import unicodedata
from functools import lru_cache

MAX_WORD = 4

# Floors for characters wordfreq does not list, by Unicode general category (log-probs).
_FLOOR = {
    "P": math.log(1e-8),  # wordfreq strips punctuation; below any listed symbol
    "Z": math.log(1e-10),  # non-ASCII spaces are rare
    "L": math.log(1e-10),
    "N": math.log(1e-9),  # fullwidth digits etc.; ASCII digits are listed
    "S": math.log(1e-9),
    "M": math.log(1e-11),
    "C": math.log(1e-10),
}
_HAN_FLOOR = math.log(1e-8)
_ASCII_FLOOR = math.log(1e-2)
_UNKNOWN_WORD = math.log(1e-9)


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, float], dict[str, float], dict[int, str]]:
    import wordfreq
    from wordfreq.chinese import SIMPLIFIED_MAP

    return (
        wordfreq.get_frequency_dict("zh"),
        wordfreq.get_frequency_dict("en"),
        SIMPLIFIED_MAP,
    )


def is_han(ch: str) -> bool:
    o = ord(ch)
    return 0x3400 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x3134F


def _is_latin_word_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def is_traditional(ch: str) -> bool:
    """A character wordfreq folds to a different Simplified one."""
    return is_han(ch) and ch.translate(_tables()[2]) != ch


def set_script(traditional: bool) -> None:
    """Score as Traditional Chinese (folded to Simplified, as wordfreq does) or as Simplified
    (a Traditional character is then an unknown one). Chosen per text by the repair from the
    characters that came through intact."""
    global _TRADITIONAL
    if traditional != _TRADITIONAL:
        _TRADITIONAL = traditional
        for fn in (word_logp, char_logp, text_logp, _segment_logp):
            fn.cache_clear()


_TRADITIONAL = False


@lru_cache(maxsize=262144)
def word_logp(word: str) -> float | None:
    """log frequency of a word in wordfreq's zh or en list (whichever is higher), or None."""
    zh, en, simp = _tables()
    key = (word.translate(simp) if _TRADITIONAL else word).casefold()
    f = max(zh.get(key, 0.0), en.get(key, 0.0))
    return math.log(f) if f > 0 else None


@lru_cache(maxsize=65536)
def char_logp(ch: str) -> float:
    """log-probability of one character standing alone as a token."""
    lp = word_logp(ch)
    if lp is not None:
        return lp
    if ch.isascii():
        return _ASCII_FLOOR
    if is_han(ch) and ord(ch) >= 0x4E00:
        return _HAN_FLOOR
    if is_han(ch):
        return _HAN_FLOOR + math.log(1e-3)  # extension blocks: rare characters
    return _FLOOR.get(unicodedata.category(ch)[0], _FLOOR["C"])


@lru_cache(maxsize=1)
def _pairs() -> tuple[dict[str, float], dict[str, float], dict[str, float], float]:
    """Character pairs inside wordfreq's Chinese words, weighted by the words' frequencies:
    a character bigram model of real text (what follows what), built once."""
    zh, _, _ = _tables()
    pair: dict[str, float] = {}
    left: dict[str, float] = {}
    right: dict[str, float] = {}
    for w, f in zh.items():
        for a, b in zip(w, w[1:]):
            pair[a + b] = pair.get(a + b, 0.0) + f
            left[a] = left.get(a, 0.0) + f
            right[b] = right.get(b, 0.0) + f
    return pair, left, right, sum(right.values())


PAIR_SMOOTHING = 1e-5
PAIR_WEIGHT = 0.3


@lru_cache(maxsize=262144)
def pair_pmi(a: str, b: str) -> float:
    """log P(b | a) / P(b) from the pair table (smoothed): > 0 when b tends to follow a."""
    pair, left, right, total = _pairs()
    pb = max(right.get(b, 0.0), 1e-9) / total
    pba = (pair.get(a + b, 0.0) + PAIR_SMOOTHING * pb) / (left.get(a, 0.0) + PAIR_SMOOTHING)
    return math.log(pba / pb)


@lru_cache(maxsize=262144)
def text_logp(s: str) -> float:
    """Log-probability of `s`: the best segmentation under a unigram word model, plus the
    association of each pair of adjacent Chinese characters."""
    assoc = sum(pair_pmi(a, b) for a, b in zip(s, s[1:]) if is_han(a) and is_han(b))
    return _segment_logp(s) + PAIR_WEIGHT * assoc


@lru_cache(maxsize=262144)
def _segment_logp(s: str) -> float:
    """Log-probability of the best segmentation of `s` (unigram word model)."""
    n = len(s)
    best = [0.0] + [-math.inf] * n
    for i in range(1, n + 1):
        ch = s[i - 1]
        if _is_latin_word_char(ch):
            # a Latin word is one token: only take it whole
            if i < n and _is_latin_word_char(s[i]):
                continue
            j = i - 1
            while j > 0 and _is_latin_word_char(s[j - 1]):
                j -= 1
            lp = word_logp(s[j:i])
            best[i] = best[j] + (lp if lp is not None else _UNKNOWN_WORD)
            continue
        score = best[i - 1] + char_logp(ch)
        if is_han(ch):
            for k in range(2, MAX_WORD + 1):
                j = i - k
                if j < 0 or not is_han(s[j]):
                    break
                lp = word_logp(s[j:i])
                if lp is not None and best[j] + lp > score:
                    score = best[j] + lp
        best[i] = score
    return best[n]
