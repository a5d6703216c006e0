"""Files that are not UTF-8: which encoding they are in (GB18030/GBK, Big5, Shift-JIS,
Latin-1, ...), found by charset-normalizer, so `doctor --fix` and `import` can convert them.

East Asian encodings first: each of GB18030, Big5, Shift-JIS, EUC-JP and EUC-KR that decodes
the file is scored by how common its characters are in wordfreq's Chinese, Japanese and Korean
lists (charset-normalizer alone takes a short GBK note for EUC-KR), and the best is taken if
its characters are common ones. Otherwise charset-normalizer ranks the encodings a file
decodes under by how chaotic the result reads. Single-byte pages often tie (Latin-1 French reads as well in Windows-1257, with `è`
turned into `č`); among those within `_TIE` of the best, Windows-1252 (a superset of Latin-1's
letters) is taken, the most common of them.
"""

from __future__ import annotations

from dataclasses import dataclass

_TIE = 0.1
_PREFERRED = ("cp1252", "latin_1")
_BOMS = ((b"\xef\xbb\xbf", "utf_8"), (b"\xff\xfe", "utf_16"), (b"\xfe\xff", "utf_16"))
_NAMES = {"gb18030": "GB18030", "gb2312": "GB2312", "gbk": "GBK", "big5": "Big5",
          "big5hkscs": "Big5-HKSCS", "cp932": "Shift-JIS (cp932)", "shift_jis": "Shift-JIS",
          "euc_jp": "EUC-JP", "euc_kr": "EUC-KR", "cp949": "EUC-KR (cp949)",
          "utf_16": "UTF-16", "utf_8": "UTF-8", "latin_1": "Latin-1", "cp1252": "Windows-1252"}


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # Python's codec name

    @property
    def label(self) -> str:
        name = self.encoding.lower().replace("-", "_")
        if name.startswith("cp125"):
            return f"Windows-{name[2:]}"
        return _NAMES.get(name, self.encoding)


_CJK = ("gb18030", "big5", "cp932", "euc_jp", "cp949")
_COMMON = -5.0  # mean log10 frequency of a file's non-ASCII characters read right


def _commonness(text: str) -> float:
    """Mean log10 frequency of the non-ASCII characters of `text` in wordfreq's Chinese
    (Traditional folded), Japanese or Korean list, whichever knows it best."""
    import math

    import wordfreq
    from wordfreq.chinese import SIMPLIFIED_MAP

    lists = [wordfreq.get_frequency_dict(lang) for lang in ("zh", "ja", "ko")]
    chars = [c for c in text if c > "\x7f" and not c.isspace()]
    if not chars:
        return -9.0
    total = 0.0
    for c in chars:
        f = max(lists[0].get(c.translate(SIMPLIFIED_MAP), 0.0), lists[1].get(c, 0.0),
                lists[2].get(c, 0.0))
        total += math.log10(max(f, 1e-9))
    return total / len(chars)


def _east_asian(data: bytes) -> Decoded | None:
    found = []
    for enc in _CJK:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        found.append((_commonness(text), -len(found), Decoded(text, enc)))
    if not found:
        return None
    score, _, best = max(found, key=lambda t: t[:2])
    return best if score >= _COMMON else None


def decode_bytes(data: bytes) -> Decoded | None:
    """The text of a file that is not UTF-8, in the encoding that reads best; None when no
    encoding fits (a binary file)."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data[len(bom):].decode(enc if enc != "utf_16" else
                                                      ("utf_16_le" if bom == b"\xff\xfe"
                                                       else "utf_16_be")), enc)
            except UnicodeDecodeError:
                break
    if b"\x00" in data:
        return None
    cjk = _east_asian(data)
    if cjk is not None:
        return cjk
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    if not matches:
        return None
    best = matches[0]
    for name in _PREFERRED:
        m = next((m for m in matches if m.encoding == name), None)
        if m is not None and m.chaos <= best.chaos + _TIE \
                and best.encoding.startswith(("cp12", "iso8859", "latin", "mac", "koi")):
            best = m
            break
    return Decoded(str(best), best.encoding)
