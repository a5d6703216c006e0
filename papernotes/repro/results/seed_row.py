"""The repro region's row for the seeds of one config (`papernotes repro --seeds N`).

One row per config: the parent run's id in the run column, each eval metric as
`mean ± sd (n=N)` with the 95% t interval beside linear top-1, and the parent and every seed's
run linked in the MLflow column. The row takes the place of every row that links one of its seed
runs (a plain run of one of the seeds, an earlier `--seeds` of the same config with fewer
seeds), so a config has one row. Same columns as a single run's row (writeback.COLUMNS), whose
linear top-1 reads `70.12 (n=1)`.

Reference: writeback.RunRow, the single run's row.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from papernotes.core.locked_update import update_text
from papernotes.repro.results.seed_stats import Summary
from papernotes.repro.results.writeback import _cell, _duration, _row, with_row


@dataclass(frozen=True)
class SeedRun:
    seed: int
    run_id: str
    link: str


@dataclass(frozen=True)
class SeedRow:
    run_id: str  # the parent run
    date: str
    spec: str
    backbone: str
    dataset: str
    epochs: int
    batch: int
    stats: dict[str, Summary]  # eval/* in percent
    hardware: str
    wall_time_s: float  # all seeds together
    link: str
    seeds: tuple[SeedRun, ...]
    protocol: str = ""  # ours in one line (our_protocol.py), for the repro_protocol property
    ledger: tuple[str, ...] = ()  # run_record.ledger_lines: this row against the card's numbers

    def flat(self, expected) -> dict:
        """The flat properties this row sets (notes/format/repro_properties.py)."""
        from papernotes.repro.results.flat_properties import flat_values

        s = self.stats.get("eval/linear_top1")
        return flat_values(s.mean if s else None, s.half_width if s else None, s.n if s else len(self.seeds),
                           self.protocol, self.link, expected)

    def cells(self) -> list[str]:
        def stat(key: str) -> str:
            s = self.stats.get(key)
            return "–" if s is None else s.text()

        top1 = stat("eval/linear_top1")
        ci = self.stats.get("eval/linear_top1")
        if ci is not None and ci.ci_low is not None:
            top1 += f", 95% CI {ci.ci_text()}"
        runs = " ".join(f"[s{s.seed}]({s.link})" for s in self.seeds)
        return [f"`{self.run_id[:8]}`", self.date, self.spec, self.backbone, self.dataset,
                str(self.epochs), str(self.batch), top1, stat("eval/linear_top5"),
                stat("eval/knn_top1"), stat("eval/random_init_linear_top1"), _cell(self.hardware),
                _duration(self.wall_time_s), f"[{self.run_id}]({self.link}) seeds: {runs}"]

    def replaces(self, row: str) -> bool:
        """Whether an existing region row is this config's (its run or one of its seeds)."""
        if row.startswith(f"| `{self.run_id[:8]}` |"):
            return True
        ids = {s.run_id for s in self.seeds}
        return any(f"[{i}](" in row or f"/runs/{i})" in row or row.startswith(f"| `{i[:8]}` |")
                   for i in ids)


def write_seed_row(note_path: Path, vault_root: Path, row: SeedRow, expected) -> None:
    """Put the config's row into the note's repro region (the rest of the note kept)."""
    update_text(note_path, lambda text: with_row(text, note_path, vault_root, _row(row.cells()),
                                                 row.replaces, expected, flat=row.flat(expected),
                                                 ledger=row.ledger))
