"""The ledger: our run beside every number of a card, the protocol differences spelled out.

`ledger(results, ours, deviations=(), value=None)` takes a card's results
(`papernotes.notes.sources.card_results.Result`) and our run's protocol as plain data (a
`Protocol`, or a mapping with the same fields: dataset, backbone, epochs, batch, eval, ...), plus
the review's open deviations of our run (strings), and returns one `LedgerLine` per number:

    differences   "epochs 100 vs 800", "batch 256 vs 4096", "backbone ResNet-18 vs ResNet-50",
                  "eval kNN k=200 vs linear 100 ep", "open deviation: ...", ours first
    unstated      the core details the reference does not give (epochs, batch, eval epochs)
    gap           our value minus the reference's (None without our value or on another metric)
    verdict       "protocol" when some difference can explain a gap, "unexplained" when the
                  protocols agree on everything both state (`unstated` says how much that is)

Pure: no files, no MLflow. The board and the note's repro region call it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Literal, Mapping, Sequence

from papernotes.notes.sources.card_results import Protocol, Result

Verdict = Literal["protocol", "unexplained"]


@dataclass(frozen=True)
class LedgerLine:
    result: Result
    differences: tuple[str, ...]
    unstated: tuple[str, ...]
    gap: float | None
    verdict: Verdict

    def explanation(self) -> str:
        """`protocol: epochs 100 vs 800; batch 256 vs 4096` or `unexplained (not stated: batch)`."""
        if self.differences:
            return "protocol: " + "; ".join(self.differences)
        return "unexplained" + (f" (not stated: {', '.join(self.unstated)})" if self.unstated else "")


def _squash(text: str) -> str:
    """Names compared loosely: `ResNet-18` = `resnet18` = `Res18`, `ImageNet-1k` = `ImageNet`."""
    s = re.sub(r"[^a-z0-9/]", "", text.lower())
    s = re.sub(r"^res(?=\d)", "resnet", s)
    return re.sub(r"(imagenet)(1k|2012)$", r"\1", s)


def _known(text: str) -> bool:
    return bool(text) and text.strip().lower() != "unknown"


def differences(ours: Protocol, ref: Protocol) -> tuple[list[str], list[str]]:
    """(differences, unstated) between our protocol and a reference's; ours comes first."""
    diffs: list[str] = []
    unstated: list[str] = []
    if _known(ours.dataset) and _known(ref.dataset):
        if _squash(ours.dataset) != _squash(ref.dataset):
            diffs.append(f"dataset {ours.dataset} vs {ref.dataset}")
    else:
        unstated.append("dataset")
    if _squash(ours.measured_on) != _squash(ref.measured_on) and _known(ref.measured_on):
        if _squash(ours.dataset) == _squash(ref.dataset) or not _known(ref.dataset):
            diffs.append(f"evaluated on {ours.measured_on} vs {ref.measured_on}")
    if _squash(ours.backbone) != _squash(ref.backbone):
        diffs.append(f"backbone {ours.backbone} vs {ref.backbone}")
    for name, a, b in (("epochs", ours.epochs, ref.epochs), ("batch", ours.batch, ref.batch)):
        if a is None or b is None:
            unstated.append(name)
        elif a != b:
            diffs.append(f"{name} {a} vs {b}")
    diffs += _eval_differences(ours, ref, unstated)
    for name, a, b in (("stem", ours.stem, ref.stem), ("image", ours.image_size, ref.image_size),
                       ("views", ours.views, ref.views)):
        if a is not None and b is not None and a != b:
            diffs.append(f"{name} {a} vs {b}")
    diffs += list(ref.notes)
    return diffs, unstated


def _eval_differences(ours: Protocol, ref: Protocol, unstated: list[str]) -> list[str]:
    same_kind = ours.eval == ref.eval and ours.task == ref.task and ours.labels == ref.labels
    if not same_kind:
        return [f"eval {ours.eval_text()} vs {ref.eval_text()}"]
    if ours.eval in ("linear", "fine-tune"):
        if ours.eval_epochs is None or ref.eval_epochs is None:
            unstated.append("eval epochs")
        elif ours.eval_epochs != ref.eval_epochs:
            return [f"eval {ours.eval_text()} vs {ref.eval_text()}"]
    if ours.eval == "knn" and ours.knn_k and ref.knn_k and ours.knn_k != ref.knn_k:
        return [f"eval {ours.eval_text()} vs {ref.eval_text()}"]
    return []


def as_protocol(ours: Protocol | Mapping[str, Any]) -> Protocol:
    """Our run's protocol from plain data (validated like a card's: `unknown` allowed)."""
    return ours if isinstance(ours, Protocol) else Protocol.model_validate(dict(ours))


def ledger_line(result: Result, ours: Protocol, deviations: Iterable[str] = (),
                value: float | None = None, metric: str = "top-1") -> LedgerLine:
    diffs, unstated = differences(ours, result.protocol)
    if result.variant:
        diffs.insert(0, f"method {result.variant} ({result.by})")
    same_metric = _squash(result.metric) == _squash(metric)
    if not same_metric:
        diffs.insert(0, f"metric {metric} vs {result.metric}")
    diffs += [f"open deviation: {d}" for d in deviations]
    gap = round(value - result.value, 4) if value is not None and same_metric else None
    return LedgerLine(result, tuple(diffs), tuple(unstated), gap, "protocol" if diffs else "unexplained")


def ledger(results: Sequence[Result], ours: Protocol | Mapping[str, Any], deviations: Iterable[str] = (),
           value: float | None = None, metric: str = "top-1") -> list[LedgerLine]:
    """One line per number of the card, in the card's order (the paper's first)."""
    protocol = as_protocol(ours)
    devs = tuple(deviations)
    return [ledger_line(r, protocol, devs, value, metric) for r in results]
