"""A word-level language model of real text, from wordfreq's frequency lists (zh, en).

`text_logp(s)` is the log-probability of the most probable segmentation of `s` into words
under a unigram word model: Chinese words (up to 4 characters, Traditional folded to
Simplified as wordfreq does) and Latin words looked up in wordfreq's Chinese and English
lists; characters absent from both fall back to a floor set by their Unicode category (not
per character). Used to choose among the characters a lost byte could have been.
"""

from __future__ import annotations

import marshal
import math
import os
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

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
# wordfreq strips punctuation, so its frequencies are set here, as log-probabilities per
# token of running Chinese (and English) text: the comma about as common as 的, the full stop
# half that, the enumeration comma, colons, quotes and brackets less; look-alikes that real
# notes hardly use (fullwidth ．－ ＂) keep the floor.
_PUNCT = {
    "，": -3.0, "。": -3.6, "、": -4.6, "：": -5.0, "“": -5.2, "”": -5.2, "（": -5.6,
    "）": -5.6, "？": -6.3, "；": -6.5, "！": -6.6, "「": -6.5, "」": -6.5, "《": -7.0,
    "》": -7.0, "—": -7.0, "…": -7.5, "‘": -7.5, "’": -7.0, "·": -8.0, "–": -8.5,
    "【": -8.0, "】": -8.0, "『": -9.0, "』": -9.0, "～": -9.5, "•": -9.0, "«": -10.0,
    "»": -10.0, "°": -9.0, "×": -10.0, "→": -9.5, "≈": -10.5, "±": -11.0, "≤": -11.0,
    "≥": -11.0, "€": -11.0, "£": -11.5, "©": -11.5, "®": -12.0, "™": -12.0, "§": -12.0,
    " ": -12.0,
    # the user's template rates with stars and marks the reading status with coloured
    # circles: in paper notes they are far more common than in wordfreq's general text
    "⭐": -8.0, "🟢": -9.0, "🟡": -9.0, "🔴": -9.0, "✅": -9.5, "❌": -9.5, "💡": -10.0,
}
_HAN_FLOOR = math.log(1e-8)
_ASCII_FLOOR = math.log(1e-2)
_UNKNOWN_WORD = math.log(1e-9)
_ACCENTED = re.compile("[\u00c0-\u024f]")  # Latin letters outside ASCII: English list too


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, float], dict[int, str]]:
    """wordfreq's Chinese list and its Traditional -> Simplified folding."""
    import wordfreq
    from wordfreq.chinese import SIMPLIFIED_MAP

    return wordfreq.get_frequency_dict("zh"), SIMPLIFIED_MAP


@lru_cache(maxsize=1)
def _english() -> dict[str, float]:
    """wordfreq's English list, loaded only when a Latin letter outside ASCII is scored."""
    import wordfreq

    return wordfreq.get_frequency_dict("en")


def is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" \
        or "\U00020000" <= ch <= "\U0003134f"


def is_traditional(ch: str) -> bool:
    """A character wordfreq folds to a different Simplified one."""
    return is_han(ch) and ch.translate(_tables()[1]) != ch


def simplified(ch: str) -> str:
    """`ch` folded to Simplified Chinese as wordfreq folds it."""
    return ch.translate(_tables()[1])


@lru_cache(maxsize=262144)
def word_logp(word: str, traditional: bool = False) -> float | None:
    """log frequency of a word in wordfreq's zh or en list (whichever is higher), or None.
    Traditional text is folded to Simplified as wordfreq does; in Simplified text a
    Traditional character is an unknown one (so look-alikes like 頭 for 靠 do not win)."""
    zh, simp = _tables()
    key = (word.translate(simp) if traditional else word).casefold()
    f = zh.get(key, 0.0)
    if _ACCENTED.search(key):
        f = max(f, _english().get(key, 0.0))
    return math.log(f) if f > 0 else None


@lru_cache(maxsize=65536)
def char_logp(ch: str, traditional: bool = False) -> float:
    """log-probability of one character standing alone as a token."""
    if ch in _PUNCT:
        return _PUNCT[ch]
    lp = word_logp(ch, traditional)
    if lp is not None:
        return lp
    if ch.isascii():
        return _ASCII_FLOOR
    if is_han(ch) and ord(ch) >= 0x4E00:
        return _HAN_FLOOR
    if is_han(ch):
        return _HAN_FLOOR + math.log(1e-3)  # extension blocks: rare characters
    return _FLOOR.get(unicodedata.category(ch)[0], _FLOOR["C"])


def _cache_file() -> Path:
    from importlib.metadata import version

    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "papernotes" / f"zh-pairs-wordfreq-{version('wordfreq')}.marshal"


@lru_cache(maxsize=1)
def _pairs() -> tuple[dict[str, float], dict[str, float], dict[str, float], float,
                      dict[str, dict[str, float]]]:
    """Character pairs inside wordfreq's Chinese words, weighted by the words' frequencies:
    a character bigram model of real text (what follows what); and the two-character words
    by first character. Built once (about two seconds) and cached on disk per wordfreq
    version; a cache that cannot be read or written is simply rebuilt."""
    path = _cache_file()
    try:
        pair, left, right, total, words2 = marshal.loads(path.read_bytes())
        return pair, left, right, total, words2
    except (OSError, EOFError, ValueError, TypeError):
        pass
    zh, _ = _tables()
    pair: dict[str, float] = {}
    left: dict[str, float] = {}
    right: dict[str, float] = {}
    words2: dict[str, dict[str, float]] = {}
    for w, f in zh.items():
        for a, b in zip(w, w[1:]):
            pair[a + b] = pair.get(a + b, 0.0) + f
            left[a] = left.get(a, 0.0) + f
            right[b] = right.get(b, 0.0) + f
        if len(w) == 2 and is_han(w[0]) and is_han(w[1]):
            words2.setdefault(w[0], {})[w[1]] = math.log(f)
    total = sum(right.values())
    try:
        from papernotes.core.atomic import atomic_write_bytes

        atomic_write_bytes(path, marshal.dumps((pair, left, right, total, words2)),
                           overwrite=True)
    except OSError:
        pass
    return pair, left, right, total, words2


def two_char_words() -> dict[str, dict[str, float]]:
    """wordfreq's two-character Chinese words: first character -> second -> log frequency."""
    return _pairs()[4]


def words_across(firsts: tuple[str, ...], seconds: tuple[str, ...], traditional: bool = False,
                 n: int = 3) -> list[tuple[str, str]]:
    """The `n` most frequent two-character words made of one of `firsts` then one of
    `seconds` (for two neighbouring characters that both lost a byte)."""
    words = two_char_words()
    simp = _tables()[1] if traditional else None
    fold = (lambda c: c.translate(simp)) if simp else (lambda c: c)
    back: dict[str, list[str]] = {}
    for c in seconds:
        back.setdefault(fold(c), []).append(c)
    found = []
    for a in firsts:
        nxt = words.get(fold(a))
        if not nxt:
            continue
        for b in nxt.keys() & back.keys():
            found.extend((nxt[b], a, c) for c in back[b])
    found.sort(reverse=True)
    return [(a, b) for _, a, b in found[:n]]


PAIR_SMOOTHING = 1e-5
PAIR_WEIGHT = 0.3


@lru_cache(maxsize=262144)
def pair_pmi(a: str, b: str) -> float:
    """log P(b | a) / P(b) from the pair table (smoothed): > 0 when b tends to follow a."""
    pair, left, right, total, _ = _pairs()
    pb = max(right.get(b, 0.0), 1e-9) / total
    pba = (pair.get(a + b, 0.0) + PAIR_SMOOTHING * pb) / (left.get(a, 0.0) + PAIR_SMOOTHING)
    return math.log(pba / pb)


@lru_cache(maxsize=262144)
def text_logp(s: str, traditional: bool = False) -> float:
    """Log-probability of `s`: the best segmentation under a unigram word model, plus the
    association of each pair of adjacent Chinese characters."""
    seg = _segment_logp(s, traditional)
    if not PAIR_WEIGHT:
        return seg
    han = [is_han(c) for c in s]
    assoc = 0.0
    for i in range(len(s) - 1):
        if han[i] and han[i + 1]:
            assoc += pair_pmi(s[i], s[i + 1])
    return seg + PAIR_WEIGHT * assoc


def _pair_sum(s: str, han: list[bool]) -> float:
    return sum(pair_pmi(s[i], s[i + 1]) for i in range(len(s) - 1) if han[i] and han[i + 1])


def window_logps(left: str, mids: list[str], right: str, traditional: bool = False
                 ) -> list[float]:
    """`[text_logp(left + m + right) for m in mids]` for single characters `m` that are not
    ASCII letters or digits, sharing the segmentation of `left` between them."""
    han_l = [is_han(c) for c in left]
    latin_l = [c.isascii() and c.isalnum() for c in left]
    han_r = [is_han(c) for c in right]
    latin_r = [c.isascii() and c.isalnum() for c in right]
    best_l = [0.0] + [-math.inf] * len(left)
    _extend(left, han_l, latin_l, best_l, 0, traditional)
    fixed = _pair_sum(left, han_l) + _pair_sum(right, han_r) if PAIR_WEIGHT else 0.0
    out = []
    for m in mids:
        s = left + m + right
        han = han_l + [is_han(m)] + han_r
        best = best_l + [-math.inf] * (1 + len(right))
        _extend(s, han, latin_l + [False] + latin_r, best, len(left), traditional)
        assoc = fixed
        if PAIR_WEIGHT and han[len(left)]:
            if left and han_l[-1]:
                assoc += pair_pmi(left[-1], m)
            if right and han_r[0]:
                assoc += pair_pmi(m, right[0])
        out.append(best[-1] + PAIR_WEIGHT * assoc)
    return out


@lru_cache(maxsize=262144)
def _segment_logp(s: str, traditional: bool) -> float:
    """Log-probability of the best segmentation of `s` (unigram word model)."""
    best = [0.0] + [-math.inf] * len(s)
    _extend(s, [is_han(c) for c in s], [c.isascii() and c.isalnum() for c in s], best, 0,
            traditional)
    return best[-1]


def _extend(s: str, han: list[bool], latin: list[bool], best: list[float], start: int,
            traditional: bool) -> None:
    """Fill `best[start+1:]` (best[i]: best segmentation score of s[:i]) from best[:start+1]."""
    n = len(s)
    for i in range(start + 1, n + 1):
        if latin[i - 1]:
            # a Latin word is one token: only take it whole
            if i < n and latin[i]:
                continue
            j = i - 1
            while j > 0 and latin[j - 1]:
                j -= 1
            # an ASCII word never holds a restored character, so its score cancels out of
            # every comparison: a constant, no lookup
            best[i] = best[j] + _UNKNOWN_WORD
            continue
        score = best[i - 1] + char_logp(s[i - 1], traditional)
        if han[i - 1]:
            for j in range(i - 2, max(i - MAX_WORD, 0) - 1, -1):
                if not han[j]:
                    break
                lp = word_logp(s[j:i], traditional)
                if lp is not None and best[j] + lp > score:
                    score = best[j] + lp
        best[i] = score
