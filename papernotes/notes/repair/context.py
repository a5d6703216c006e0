"""Where a punctuation mark, or a character bound to its neighbours, can stand: context the
word model cannot see.

The word model (`langmodel.py`) gives each mark one frequency (the comma about seven times the
colon), so alone it turns every lost colon, question mark or bracket into a comma. Typography
says more, from the characters around the mark, in log-probability units added to its score:

- brackets and quotes come in pairs: an opener needs its closer later in the paragraph, a
  closer an open opener before it; a closer that no opener matches asks for one;
- a comma or an enumeration comma does not end a line, nor a bold span;
- a bold label (`**状态**：`, `**核心思想：**`), the short term that opens a list item
  (`- 动量更新：`) and a heading (`# BYOL：不用负样本`) take a colon;
- a paragraph that asks something does not end with a colon;
- a full stop ends a sentence, not a heading nor an item of an enumeration (随机裁剪、水平翻转、
  旋转); a Chinese numeral that opens a line is followed by 、 (`## 一、基本步骤`);
- a sentence with a question word before the mark (什么, 为什么, 会不会 ...) ends in a question
  mark (the particles 吗 and 呢 are left to the word model: counted here, they would pull a lost
  character next to a comma to 吗 and the comma to a question mark);
- joiners and variation selectors only follow a symbol (emoji sequences);
- the question particle 吗 (嗎) ends its sentence: it comes before a question mark, not
  before a comma or inside a clause (unless it makes a word with what follows, as 吗啡);
- 月 (month) alone follows a numeral or a word it makes with its neighbour (三月, 每月,
  岁月, 月份): wordfreq counts it high because dates are split into `3 月`, which would
  otherwise make it the favourite of every lost 把 or 成 that shares its lead byte;
- a word that needs what follows it does not stand before a mark, at the end of a line or
  before the particle 的, unless it ends or starts a longer word there (来自，, 真的): the
  one-character prepositions, conjunctions and adverbs of jieba's dictionary (把, 被, 与, 和,
  不, 只 ...), as its part-of-speech tags p, c and d mark them;
- after 在 (於, 于) in the clause, a localizer (上, 中, 下, 里, 内) closes the phrase: 在批量上训练.

`HOLE` (a choice not made yet) is read as "unknown": it does not close a line, and a sentence
is read across it.
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

from papernotes.notes.repair.langmodel import simplified, word_logp

HOLE = "\x00"  # a choice not yet made (viterbi.py): breaks words, same cost for all
_BONUS = math.log(10.0)
_PENALTY = math.log(1e-3)
_COMMAS = frozenset("，、")
_LINE_END = math.log(1e-2)  # a comma ending a line or a bold span
_LABEL = math.log(20.0)  # a colon after (or at the end of) a bold label, or in a heading
_LABEL_COMMA = math.log(0.3)
_QUESTION = math.log(50.0)  # a question word in the clause before the mark
_QUESTION_FAR = math.log(3.0)  # ... in the sentence, before a comma
_PARA_END_COLON = math.log(0.2)
_QUESTION_WORDS = (
    "什么", "什麼", "怎么", "怎麼", "怎样", "怎樣", "为什么", "為什麼", "为何", "為何", "如何",
    "哪", "谁", "誰", "是否", "会不会", "會不會", "能不能", "是不是",
    "有没有", "有沒有", "要不要", "可不可以", "多少", "多大", "难道", "難道",
)
_SENTENCE_END = frozenset("。！？；\n")
_BOUND = math.log(0.03)  # a bound character out of its place
_AFTER_PARTICLE = frozenset("？?！!。…）)」』”\n " + HOLE)
_NEEDS_NEXT_TAGS = "pcd"  # jieba's tags: preposition, conjunction, adverb
_JIEBA_MIN = 2000  # count in jieba's dictionary: common words only
_LIST_ITEM = re.compile(r"\s*(?:[-*+]|\d+[.)])\s+(?!\*\*)(\S{1,6})$")
_MARKS = frozenset("，。；：？！、,.;:?!\n")
_LOCALIZERS = frozenset("上中下里裡内內")
_FRAME = math.log(4.0)
_CHINESE_NUMERALS = frozenset("一二三四五六七八九十")
_ITEM_MARKS = _MARKS | {"、", "。"}
_NUMERALS = frozenset("0123456789０１２３４５６７８９〇零一二三四五六七八九十百两兩几幾半" + HOLE)


def context_logp(chars: list[str], p: int, ch: str) -> float:
    """Log-probability adjustment for putting mark `ch` at `chars[p]` (0 for other characters)."""
    cat = unicodedata.category(ch)
    if cat == "Cf" or "\ufe00" <= ch <= "\ufe0f":
        before = chars[p - 1] if p else ""
        ok = before and (unicodedata.category(before) in ("So", "Sk")
                         or "\ufe00" <= before <= "\ufe0f")
        return 0.0 if ok else _PENALTY * 3
    if cat in ("Ps", "Pi"):
        return _opener(chars, p, ch)
    if cat in ("Pe", "Pf"):
        opener, closer = chr(ord(ch) - 1), ch
        seg = "".join(chars[max(0, p - 400):p]).rsplit("\n\n", 1)[-1]
        return _BONUS if seg.count(opener) > seg.count(closer) else _PENALTY
    if ch == "、" and _numbered(chars, p):
        return _LABEL
    if ch in _COMMAS:
        return _comma(chars, p)
    if ch == "：":
        # a question ends in a question mark, a label or not; a colon ends a paragraph
        # (before a list) but hardly one that asks something
        q = _question(chars, p)
        if q == 2:
            return 0.0
        if q == 1 and _paragraph_end(chars, p):
            return _PARA_END_COLON
        return _LABEL if _label(chars, p) else 0.0
    if ch == "？":
        return (0.0, _QUESTION_FAR, _QUESTION)[_question(chars, p)]
    if ch == "。":
        return _full_stop(chars, p)
    if ch in "吗嗎":
        after = chars[p + 1] if p + 1 < len(chars) else "\n"
        return 0.0 if after in _AFTER_PARTICLE or word_logp(ch + after) else _BOUND
    if simplified(ch) in _needs_next():
        after = chars[p + 1] if p + 1 < len(chars) else "\n"
        if after in _MARKS or (after == "的" and ch not in "对對"):  # 对的: right
            # unless it ends a longer word (来自，研究所，) or makes one with 的 (真的)
            ends = any(word_logp("".join(chars[p - k:p]) + ch) for k in (1, 2, 3) if p >= k)
            return 0.0 if ends or word_logp(ch + after) else _BOUND
        return 0.0
    if ch in _LOCALIZERS:
        return _FRAME if _framed(chars, p) else 0.0
    if ch == "月":
        before = chars[p - 1] if p else "\n"
        after = chars[p + 1] if p + 1 < len(chars) else "\n"
        if before in _NUMERALS or after == HOLE or word_logp(before + ch) \
                or word_logp(ch + after):
            return 0.0
        return _BOUND
    return 0.0


def _opener(chars: list[str], p: int, ch: str) -> float:
    closer = chr(ord(ch) + 1)
    seg = "".join(chars[p + 1:p + 400]).split("\n\n", 1)[0]
    at, again = seg.find(closer), seg.find(ch)
    if at < 0 or 0 <= again < at:
        return _PENALTY
    # a later closer that no opener still open before it (in the paragraph) accounts for
    # is this opener's
    before = "".join(chars[max(0, p - 400):p]).rsplit("\n\n", 1)[-1]
    unmatched = before.count(closer) >= before.count(ch)
    return 2 * _BONUS if unmatched else _BONUS


def _line_around(chars: list[str], p: int) -> tuple[str, str]:
    left = "".join(chars[max(0, p - 200):p]).rsplit("\n", 1)[-1]
    right = "".join(chars[p + 1:p + 200]).split("\n", 1)[0]
    return left, right


def _comma(chars: list[str], p: int) -> float:
    left, right = _line_around(chars, p)
    if not right.strip(" *\r") or (right.startswith("**") and left.count("**") % 2 == 1):
        return _LINE_END
    if _label(chars, p):
        return _LABEL_COMMA
    return 0.0


def _label(chars: list[str], p: int) -> bool:
    """`p` ends a bold label (`**x**` before it, or `**` closing right after it) or the short
    term that opens a list item (`- 动量更新：`, but not a connective: `- 另外，`), or sits in a
    Markdown heading or a front-matter title."""
    left, right = _line_around(chars, p)
    item = _LIST_ITEM.fullmatch(left)
    if item and simplified(item.group(1)) not in _jieba_words("cd"):
        return True
    if left.endswith("**") and left.count("**") % 2 == 0 and len(left.strip("* ")) > 0:
        return True
    if right.startswith("**") and left.count("**") % 2 == 1:
        return True
    return left.startswith("#") or left.startswith("title:")


def _question(chars: list[str], p: int) -> int:
    """2: a question word in the clause before `p`; 1: in the sentence before a comma; 0."""
    i = p
    while i > 0 and p - i < 80 and chars[i - 1] not in _SENTENCE_END:
        i -= 1
    sentence = "".join(chars[i:p])
    clause = sentence.rsplit("，", 1)[-1]
    if any(w in clause for w in _QUESTION_WORDS):
        return 2
    return int(any(w in sentence for w in _QUESTION_WORDS))


@lru_cache(maxsize=4)
def _jieba_words(tags: str) -> frozenset[str]:
    """The words of jieba's dictionary with one of `tags` (part of speech) and a count of at
    least _JIEBA_MIN (common words only); empty if jieba's dictionary cannot be read."""
    spec = find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    path = Path(next(iter(spec.submodule_search_locations))) / "dict.txt"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return frozenset()
    alt = "|".join(tags)
    return frozenset(w for w, n in re.findall(rf"^(\S+) (\d+) (?:{alt})$", text, re.M)
                     if int(n) >= _JIEBA_MIN)


@lru_cache(maxsize=1)
def _needs_next() -> frozenset[str]:
    """jieba's common one-character prepositions, conjunctions and adverbs (Simplified:
    a Traditional character is looked up folded, `simplified`)."""
    return frozenset(w for w in _jieba_words(_NEEDS_NEXT_TAGS) if len(w) == 1)


def _numbered(chars: list[str], p: int) -> bool:
    """`p` follows a Chinese numeral that opens its line (`## 一`, `二`)."""
    head = _line_around(chars, p)[0].lstrip("#>-*+ \t")
    return 0 < len(head) <= 2 and all(c in _CHINESE_NUMERALS for c in head)


def _full_stop(chars: list[str], p: int) -> float:
    if _numbered(chars, p) or _line_around(chars, p)[0].startswith("#"):
        return _BOUND
    # the item before: short, and after an enumeration comma (or after a full stop, as an
    # earlier choice in the same enumeration may have read it)
    i = p
    while i > 0 and p - i <= 4 and chars[i - 1] not in _ITEM_MARKS:
        i -= 1
    return _BOUND if i > 0 and p - i <= 4 and chars[i - 1] in "、。" else 0.0


def _framed(chars: list[str], p: int) -> bool:
    """在 (於, 于) opens the clause before `p`, and nothing else closed it."""
    i = p
    while i > 0 and p - i < 40 and chars[i - 1] not in _MARKS:
        i -= 1
    clause = "".join(chars[i:p])
    at = max(clause.rfind(c) for c in "在於于")
    return at >= 0 and not any(c in _LOCALIZERS for c in clause[at + 1:])


def _paragraph_end(chars: list[str], p: int) -> bool:
    return not "".join(chars[p + 1:p + 200]).strip(" *\r")
