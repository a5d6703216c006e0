"""`papernotes idea code KEY ID`: a starting file per kind that loads, the patch set to run it,
and `idea run` on the untouched file: equal to its baseline seed for seed, said so in the note
with the file's link and hash prefix; the code's hash decides reuse (edit, restore)."""

from __future__ import annotations

import hashlib

import pytest
from typer.testing import CliRunner

from papernotes.cli.app import app
from papernotes.core.workspace import find_workspace
from papernotes.notes.vault import load_note
from papernotes.repro.experiment.starting_file import plan_file, render
from papernotes.ssl.user_code import load_file

from .conftest import tiny_args


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def add_patch(kind: str = "augmentation") -> None:
    assert invoke("new", "simclr", "--lang", "en", "--force").exit_code == 0
    r = invoke("idea", "add", "simclr", "a different crop policy", "--repro", "simclr", "--profile", "demo",
               "--kind", kind, "--expect", "eval/linear_top1 >= +1")
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize("kind, hook", [("loss", "def forward("), ("views", "def views("),
                                        ("architecture", "def __init__("), ("backbone", "@register_backbone(")])
def test_every_kind_writes_a_file_that_loads(ws, kind, hook):
    add_patch()
    w = find_workspace(ws)
    note = load_note(w, "simclr").note
    plan = plan_file(w, "simclr", note.ideas.patches[0], note.repro, kind)
    path = ws / f"{kind}.py"
    path.write_text(render(plan, "simclr", note.ideas.patches[0]), encoding="utf-8")
    load_file(path)
    text = path.read_text(encoding="utf-8")
    assert hook in text and f"simclr_1_{kind}" in text and ("Returns" in text or kind == "architecture")
    assert plan.assign == (f"model.arch=simclr_1_{kind}" if kind == "backbone" else f"method=simclr_1_{kind}")


@pytest.mark.slow  # two tiny idea runs (8 arms) and two dry runs: ~90 s here
def test_untouched_starting_file_equals_its_baseline_and_its_hash_decides_reuse(ws):
    add_patch()
    r = invoke("idea", "code", "simclr", "1")
    assert r.exit_code == 0, r.output
    path = ws / "repro" / "methods" / "simclr_1_views.py"
    assert "wrote repro/methods/simclr_1_views.py" in r.output and "papernotes idea run simclr 1" in r.output
    note = ws / "notes" / "simclr.md"
    assert "`method=simclr_1_views`" in note.read_text(encoding="utf-8")
    again = invoke("idea", "code", "simclr", "1")
    assert again.exit_code == 2 and "starting file exists already" in again.output

    run = invoke("idea", "run", "simclr", "1", "--seeds", "2", "--device", "cpu", *tiny_args())
    assert run.exit_code == 0, run.output
    assert "patch 1 does not differ from its baseline yet" in run.output
    text = note.read_text(encoding="utf-8")
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    assert "no difference from the baseline yet: eval/linear_top1 equal seed for seed over 2 seeds" in text
    assert f"[simclr_1_views.py@{sha[:8]}](../repro/methods/simclr_1_views.py)" in text

    original = path.read_text(encoding="utf-8")
    path.write_text(original + "# edited\n", encoding="utf-8")
    dry = invoke("idea", "run", "simclr", "1", "--seeds", "2", "--device", "cpu", *tiny_args(), "--dry-run")
    assert dry.exit_code == 0 and dry.output.count("reuse run") == 2, dry.output  # the baselines only
    path.write_text(original, encoding="utf-8")
    dry = invoke("idea", "run", "simclr", "1", "--seeds", "2", "--device", "cpu", *tiny_args(), "--dry-run")
    assert dry.exit_code == 0 and dry.output.count("reuse run") == 4, dry.output
