"""What an MLflow run says about itself beyond its metrics: the ledger of the paper's card against
our number (a logged table, `ledger.json`), and its description (`mlflow.note.content`, the
text the UI shows on the run's page): the note's wikilink, our headline and the ledger's first
line, so a gap reads as "protocol" or "unexplained" where the run is looked at.

Reference: notes/ledger.py (the ledger itself) and `papernotes catalog KEY` (cli/catalog.py),
which prints the same numbers with their protocols and sources.
"""

from __future__ import annotations

from papernotes.core.errors import PapernotesError
from papernotes.notes.ledger import LedgerLine, ledger
from papernotes.notes.sources.card_results import Protocol
from papernotes.repro.tracking.tags import NOTE_CONTENT

LEDGER_FILE = "ledger.json"


def card_ledger(paper: str, ours: Protocol, value: float | None) -> list[LedgerLine]:
    """Our linear top-1 against every number of the paper's catalog card ([] without a card)."""
    from papernotes.notes.sources.catalog import load_card

    try:
        card = load_card(paper)
    except PapernotesError:
        return []
    return ledger(card.results, ours, value=value, metric="top-1")


def ledger_table(lines: list[LedgerLine], ours: Protocol, value: float | None) -> dict[str, list]:
    """The ledger as columns (MLflow's log_table): one row per number, ours first."""
    cols: dict[str, list] = {k: [] for k in ("by", "metric", "value", "protocol", "source", "gap",
                                             "verdict", "differences")}

    def add(by, metric, number, protocol, source, gap, verdict, diffs):
        for key, v in zip(cols, (by, metric, number, protocol, source, gap, verdict, diffs)):
            cols[key].append(v)

    add("ours", "top-1", value, ours.text(), "this run", None, "", "")
    for line in lines:
        r = line.result
        add(r.by + (f" ({r.variant})" if r.variant else ""), r.metric, r.value, r.protocol.text(),
            r.source.text(), line.gap, line.verdict, line.explanation())
    return cols


LEDGER_LINE = "- vs "  # how each ledger line of the note's repro region begins


def ledger_lines(lines: list[LedgerLine]) -> list[str]:
    """The ledger as the repro region shows it under the table, one line per number of the card:
    `- vs lightly top-1 61.5 (ImageNet · ResNet-50 · 100 ep · ...): gap -4.20, protocol: ...`."""
    out = []
    for line in lines:
        r = line.result
        gap = f"gap {line.gap:+.2f}, " if line.gap is not None else ""
        out.append(f"{LEDGER_LINE}{r.by}{f' ({r.variant})' if r.variant else ''} {r.metric} "
                   f"{r.value:g} ({r.protocol.text()}): {gap}{line.explanation()}")
    return out


def description(note_key: str, headline: str, lines: list[LedgerLine]) -> str:
    """`[[simclr]] simclr/demo: linear top-1 12.34 (n=1)` and, from the card, the paper's number
    with the gap and what explains it."""
    text = f"[[{note_key}]] {headline}"
    paper = next((ln for ln in lines if ln.result.by == "paper" and ln.gap is not None), None)
    if paper is not None:
        r = paper.result
        text += (f"\n\npaper {r.metric} {r.value:g} ({r.protocol.text()}): gap {paper.gap:+.2f}, "
                 f"{paper.explanation()}")
    if lines:
        text += f"\n\nledger: {len(lines)} number(s) of the card in {LEDGER_FILE}"
    return text


def record_run(client, run_id: str, paper: str, note_key: str, headline: str, ours: Protocol,
               value: float | None) -> None:
    """Set the run's description and log the ledger of the card `paper` on it."""
    lines = card_ledger(paper, ours, value)
    client.set_tag(run_id, NOTE_CONTENT, description(note_key, headline, lines))
    client.log_table(run_id, data=ledger_table(lines, ours, value), artifact_file=LEDGER_FILE)
