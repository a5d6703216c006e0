"""`repro --save`: the spec keeps its bytes except the saved line; `--dry-run` writes nothing."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from papernotes.cli.app import app
from papernotes.core.resources import shipped_dir
from papernotes.core.yaml_doc import guess_indent, parse_yaml, render_yaml
from papernotes.repro.spec.model import load_spec, resolve
from papernotes.repro.spec.save import save_overrides

SHIPPED = sorted(shipped_dir("repro").glob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_every_shipped_spec_round_trips_byte_for_byte(path):
    text = path.read_text(encoding="utf-8")
    assert render_yaml(parse_yaml(text), text) == text


def test_layout_nulls_and_line_endings_are_kept():
    text = "---\nkeep:\n    a: ~\n    b:\n    c: null   # why\n    d: Null\nlist:\n  - 1\n  - null\n"
    assert guess_indent(text) == (4, 4, 2)
    assert render_yaml(parse_yaml(text), text) == text
    crlf = text.replace("\n", "\r\n")
    assert render_yaml(parse_yaml(crlf), crlf) == crlf
    long = "description: " + "word " * 40 + "end\n"  # never wrapped
    assert render_yaml(parse_yaml(long), long) == long
    assert guess_indent("a: 1\n") == (2, 2, 0)


def test_a_saved_override_changes_only_its_own_line(ws_dir):
    spec = ws_dir / "repro" / "simclr.yaml"
    before = spec.read_text(encoding="utf-8").splitlines(keepends=True)
    _, diff = save_overrides(spec, "demo", {"train": {"epochs": 4}, "eval": {"knn_k": 7}},
                             ws_dir / "repro")
    after = spec.read_text(encoding="utf-8").splitlines(keepends=True)
    # the new key is one added line in its section ...
    added = after.index("      knn_k: 7  # set by --save\n")
    assert after[added - 1].strip() == "monitor_every: 10"  # the end of the eval section
    without = after[:added] + after[added + 1:]
    # ... and the changed value its own line, its comment now saying whose value it is (the
    # source's reason, "10 epochs gave only ...", no longer holds for 4); every other byte is kept
    changed = [i for i, (a, b) in enumerate(zip(before, without)) if a != b]
    assert len(without) == len(before) and len(changed) == 1
    assert [line for line in diff if line.startswith(("-", "+"))][2:] == [
        "-      epochs: 30              # 10 epochs gave only +12 points over random init (DEMO_CONFIG)",
        "+      epochs: 4               # set by --save (was 30)",
        "+      knn_k: 7  # set by --save"]
    s, doc = load_spec(spec)
    cfg = resolve(s, doc, spec, "demo").config
    assert (cfg.train.epochs, cfg.eval.knn_k, cfg.data.root) == (4, 7, None)


def test_save_with_dry_run_shows_the_change_and_writes_nothing(ws_dir):
    ws = ws_dir
    spec = ws / "repro" / "simclr.yaml"
    before = spec.read_bytes()
    files = sorted(ws.rglob("*"))
    result = CliRunner().invoke(app, ["repro", "simclr", "--profile", "demo", "--set",
                                      "train.epochs=4", "--save", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "--save would change" in result.output and "+      epochs: 4               # set by --save (was 30)" in result.output
    assert spec.read_bytes() == before and sorted(ws.rglob("*")) == files
