"""The words of a verdict: the parent run's Markdown artifact and the patch's result line."""

from __future__ import annotations

import os
from pathlib import Path

from papernotes.notes.format.ideas_story import mean_sd, num
from papernotes.notes.model.ideas_model import Expectation, PatchStatus, Verdict


def result_line(expect: Expectation, v: Verdict, profile: str | None = None,
                overrides: tuple[str, ...] = ()) -> str:
    """One line for the patch table: the measured effect on the expected metric, and the run's
    conditions where they are not the patch's own (another profile, values for both arms)."""
    line = (f"{expect.metric} {num(v.diff_mean, True)} [{num(v.ci_low, True)}, "
            f"{num(v.ci_high, True)}] over {v.n} seeds")
    conditions = ([f"profile {profile}"] if profile else []) + \
        ([f"both arms {' '.join(overrides)}"] if overrides else [])
    return line + (f" ({'; '.join(conditions)})" if conditions else "")


def unchanged_line(expect: Expectation, v: Verdict) -> str:
    """The result of a patch whose arms equal the baseline's seed for seed (an untouched
    starting file of `idea code`): not a verdict on the idea, a note that nothing changed yet."""
    return (f"no difference from the baseline yet: {expect.metric} equal seed for seed over {v.n} "
            f"seeds (the patch changes nothing the run measures)")


def code_links(exp, note: Path) -> str:
    """The user's files the patch arm runs and the baseline does not, each a Markdown link
    relative to the note (Obsidian opens it) with the sha256 prefix that was tested."""
    from papernotes.repro.spec.config_hash import code_files, code_pins

    base, patch = exp.arms[0].config, exp.arms[1].config
    pins, before = code_pins(patch), code_pins(base)
    out = []
    for file in code_files(patch):
        sha = pins[file.name]
        if before.get(file.name) == sha:
            continue
        rel = Path(os.path.relpath(file, note.parent)).as_posix()
        out.append(f"[{file.name}@{sha[:8]}]({rel.replace(' ', '%20')})")
    return " ".join(out)


def _meaning(status: PatchStatus, v: Verdict, expect: Expectation) -> str:
    if status is PatchStatus.verified:
        return f"the interval lies on the predicted side of 0 and the mean reaches {expect.delta:+g}"
    if status is PatchStatus.refuted:
        return f"the interval rules out an effect of {expect.delta:+g}"
    more = f"; about {v.seeds_needed} seeds would likely settle it" if v.seeds_needed else ""
    return f"the interval does not settle it{more}"


def comparison_markdown(exp, pairs, values: dict[str, float], run_of: dict[str, str],
                        status: PatchStatus, v: Verdict) -> str:
    metric = exp.expect.metric
    lines = [f"# {exp.name}: {exp.patch.text}", "",
             f"- expectation: `{exp.expect}`",
             f"- verdict: **{status.value}**: {_meaning(status, v, exp.expect)}",
             f"- spec `{exp.spec.name}`, profile `{exp.profile}`, device {exp.device}",
             f"- the patch's changes: {' '.join(f'`{s}`' for s in exp.patch.sets)}"]
    if exp.overrides:
        lines.append(f"- both arms: {' '.join(f'`{s}`' for s in exp.overrides)}")
    lines += ["", f"| seed | baseline run | baseline {metric} | patch run | patch {metric} | difference |",
              "| --: | :-- | --: | :-- | --: | --: |"]
    for b, p in pairs:
        vb, vp = values[b.label], values[p.label]
        lines.append(f"| {b.seed} | `{run_of[b.label]}` | {num(vb)} | `{run_of[p.label]}` | {num(vp)} "
                     f"| {num(vp - vb, True)} |")
    lines += ["", "| | mean ± SD (standard deviation over the seeds) |", "| :-- | :-- |",
              f"| baseline | {mean_sd(v.baseline_mean, v.baseline_sd)} |",
              f"| patch | {mean_sd(v.patch_mean, v.patch_sd)} |",
              f"| difference (patch - baseline), 95% CI, t with {v.n - 1} df | "
              f"{num(v.diff_mean, True)} [{num(v.ci_low, True)}, {num(v.ci_high, True)}] |"]
    return "\n".join(lines) + "\n"
