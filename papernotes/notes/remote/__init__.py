"""Papers from their identifiers: arXiv, doi.org, Semantic Scholar, Zotero (network code only).

Each source module turns one service's answer into a `Fetched` (`record.py`): the properties it
gives, each with its source, and the raw answer kept under `.papernotes/sources/` (`store.py`).
"""
