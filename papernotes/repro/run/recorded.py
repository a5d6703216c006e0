"""What a resumed run continues: the config it ran, as its folder records it, never what the
spec says now.

A run's folder holds `launch_config.json` (launch/layout.py), written before its engine first
started. `--resume` continues that config: a spec edited since (or a `--set` left off) changes
nothing, and says so in one line; a `--set` given with `--resume` that would change the run
(`--set train.epochs=2` on a run of 8 epochs) is refused in one line naming the fields, since a
run's config, its MLflow parameters and its config hash (spec/config_hash.py) are all of what it
ran. Only what cannot change a result may differ (`config_hash.RESULT_NEUTRAL`): the folder
and the threads follow the new launch, how often it logs and checkpoints only when a `--set`
asks (else the run keeps its own, so its record reads as one run's).

Values are compared as JSON values, so a list read back from the file equals the tuple the
dataclass holds (`optim.betas=[0.9, 0.999]` is no change from `(0.9, 0.999)`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from papernotes.core.errors import PapernotesError
from papernotes.repro.launch.layout import launch_config
from papernotes.repro.spec.config_hash import RESULT_NEUTRAL
from papernotes.repro.tracking.events import flatten
from papernotes.ssl.config import ConfigError, PretrainConfig, config_from_dict, config_to_dict

FOLLOW_LAUNCH = ("out_dir", "train.threads")  # always the new launch's: its folder, its cores


@dataclass(frozen=True)
class Continued:
    """The config a resumed run continues, and what the spec or launch now says otherwise
    (`field=recorded->now`, for the user: nothing of it applies)."""

    config: PretrainConfig
    ignored: tuple[str, ...] = ()


def plain(value: Any) -> Any:
    """A value as JSON reads it back: tuples are lists."""
    return json.loads(json.dumps(value))


def differences(recorded: dict, now: dict) -> dict[str, tuple[Any, Any]]:
    """{dotted field: (recorded, now)} for every setting that differs, as values (not types),
    leaving out the result-neutral fields."""
    before, after = flatten(plain(recorded)), flatten(plain(now))
    return {k: (before.get(k), after.get(k)) for k in sorted(set(before) | set(after))
            if before.get(k) != after.get(k) and k not in RESULT_NEUTRAL}


def describe(diff: dict[str, tuple[Any, Any]], limit: int = 6) -> list[str]:
    """`field=old->new` for each difference (at most `limit`, then `+N more`)."""
    out = [f"{k}={json.dumps(a)}->{json.dumps(b)}" for k, (a, b) in diff.items()]
    return out[:limit] + ([f"+{len(out) - limit} more"] if len(out) > limit else [])


def set_fields(overrides: tuple[str, ...] | list[str]) -> set[str]:
    """The dotted fields the `--set` values name."""
    return {item.split("=", 1)[0].strip() for item in overrides if "=" in item}


def read_recorded(folder: Path) -> dict | None:
    """The config a run folder's launch recorded (None: no readable launch config)."""
    try:
        data = json.loads(launch_config(folder).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def continue_recorded(cfg: PretrainConfig, folder: Path, overrides: tuple[str, ...] | list[str],
                      run_name: str, forced: tuple[str, ...] = ()) -> Continued:
    """The config the run in `folder` continues: its recorded one, with the new launch's
    result-neutral fields (`cfg`, resolved from the spec now). A `--set` (or a launch option
    named in `forced`, such as `train.device` for `--device`) that changes the run is an error."""
    recorded = read_recorded(folder)
    if recorded is None:  # nothing recorded (a folder from before launch configs): the launch's
        return Continued(cfg)
    now = config_to_dict(cfg)
    diff = differences(recorded, now)
    asked = set_fields(overrides) | set(forced)
    refused = {k: v for k, v in diff.items()
               if any(k == f or k.startswith(f + ".") for f in asked)}
    if refused:
        ran = ", ".join(f"{k}={json.dumps(a)} (asked: {json.dumps(b)})" for k, (a, b) in refused.items())
        raise PapernotesError(f"run {run_name[:8]} ran with {ran}: a resume continues the config "
                              f"it ran", field="--resume",
                              hint="leave out what changes it, or start a new run without --resume")
    kept = dict(recorded)
    for dotted in RESULT_NEUTRAL:  # the folder and the cores are the launch's; the rest if asked
        if dotted in FOLLOW_LAUNCH or dotted in asked:
            _put(kept, dotted, _get(now, dotted))
    try:
        continued = config_from_dict(kept)
    except ConfigError as exc:
        raise PapernotesError(f"its recorded config does not load: {exc}", path=launch_config(folder),
                              field="--resume", hint="start a new run without --resume") from None
    return Continued(continued, tuple(describe(diff, limit=12)))


def _get(data: dict, dotted: str) -> Any:
    node: Any = data
    for part in dotted.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _put(data: dict, dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    node = data
    for part in parents:
        node[part] = dict(node.get(part) or {})
        node = node[part]
    node[last] = value
