"""The board's ledger: under the table, for each method with a finished run, its best run against
every number of the paper's catalog card (the paper's own and the public reimplementations':
solo-learn, lightly, mmpretrain, VISSL), each with its protocol, our gap and the protocol
differences that can explain it, so a gap reads as "protocol" or "unexplained".

Reference: notes/ledger.py (the comparison) and run_record.ledger_lines (the same lines in the
note's repro region).
"""

from __future__ import annotations

from papernotes.notes.sources.card_results import Protocol
from papernotes.repro.results.board_render import HEADLINE, BoardRow
from papernotes.repro.results.run_record import card_ledger, ledger_lines


def protocol_of(params: dict) -> Protocol | None:
    """Our protocol from a run's logged parameters (None when they do not say enough)."""
    def number(key: str):
        try:
            return int(float(params[key]))
        except (KeyError, ValueError):
            return "unknown"  # not logged: the ledger lists it as unstated

    arch = params.get("model.arch")
    if not arch or not params.get("data.name"):
        return None
    resnet = arch.startswith("resnet")
    stem = ("cifar" if params.get("model.cifar_stem") == "True" else "imagenet") if resnet else None
    return Protocol(dataset=params["data.name"], backbone=arch, epochs=number("train.epochs"),
                    batch=number("train.batch_size"), eval="linear",
                    eval_epochs=number("eval.linear_epochs"), stem=stem,
                    image_size=None if number("data.image_size") == "unknown" else number("data.image_size"))


def ledger_section(rows: list[BoardRow]) -> str:
    """The section's Markdown ("" when no method has both a finished run and a card)."""
    parts = []
    for row in rows:
        best = row.best
        ours = protocol_of(best.params) if best is not None else None
        if ours is None:
            continue
        lines = ledger_lines(card_ledger(row.note, ours, best.metrics.get(HEADLINE)))
        if lines:
            top1 = best.metrics.get(HEADLINE)
            parts += ["", f"### [[{row.note}]] ({row.spec}): ours "
                      + (f"{top1:.2f}" if top1 is not None else "–") + f" ({ours.text()})", *lines]
    if not parts:
        return ""
    return "\n## Ledger: reported against reproduced\n" + "\n".join(parts) + "\n"
