"""One thing `papernotes doctor` found: its check, where (file:line), what, and whether
`--fix` mends it; what the checks (checks.py, catalog_links.py) return."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Finding:
    check: str
    path: str
    line: int
    message: str
    fixable: bool = False
    severity: str = "problem"  # or "info": counted only with --strict

    def __str__(self) -> str:
        fix = " (fixable: --fix)" if self.fixable else ""
        kind = " (info)" if self.severity == "info" else ""
        return f"{self.path}:{self.line}: {self.check}{kind}: {self.message}{fix}"

    def to_dict(self) -> dict:
        return asdict(self)
