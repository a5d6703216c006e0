"""Person names as notes keep them: "Given Family", except names in CJK scripts, which keep
the family name first ("刘 潇", as the BibTeX `刘, 潇` and CSL's family/given say it)."""

from __future__ import annotations

import re

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def is_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def person(family: str, given: str) -> str:
    family, given = family.strip(), given.strip()
    if not given:
        return family
    if not family:
        return given
    return f"{family} {given}" if is_cjk(family) else f"{given} {family}"


def family_of(name: str) -> str:
    """The family name in a name as notes keep it (the first word of a CJK name, else the last)."""
    parts = name.split()
    if not parts:
        return ""
    return parts[0] if is_cjk(name) else parts[-1]
