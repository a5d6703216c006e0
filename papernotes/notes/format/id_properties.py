"""Properties that are identifiers (`arxiv`, `doi`, `citekey`, `isbn`, ...): their value is the
text as written, never a number. YAML reads an unquoted `arxiv: 2003.04300` as the float
2003.043 and `isbn: 0262035618` as an integer without its leading 0; `ids_as_text` tags such
scalars as text before they are constructed (PyYAML and ruamel alike, in `frontmatter.py`),
and `frontmatter._yaml_value` writes them quoted.
"""

from __future__ import annotations

ID_PROPERTIES = frozenset({"arxiv", "doi", "citekey", "isbn", "issn", "pmid", "pmcid",
                           "openreview", "eprint", "id"})
_STR = "tag:yaml.org,2002:str"
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})


def ids_as_text(node) -> None:
    """Tag the plain scalar values of the top-level id properties of a composed document as
    text, so that the constructor keeps the scalar's original characters (PyYAML or ruamel)."""
    for key, value in getattr(node, "value", None) or ():
        if (isinstance(getattr(key, "value", None), str) and key.value.lower() in ID_PROPERTIES
                and isinstance(getattr(value, "value", None), str) and value.tag != _STR
                and value.value not in _NULLS and not getattr(value, "style", None)):
            value.tag = _STR
