"""The note commands never import torch or mlflow: checked in a fresh interpreter per command."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = """
import json, sys
from typer.testing import CliRunner
from papernotes.cli.app import app
result = CliRunner().invoke(app, sys.argv[1:])
print(json.dumps({"exit": result.exit_code, "output": result.output,
                  "heavy": sorted(m for m in ("torch", "mlflow", "torchvision") if m in sys.modules)}))
"""


def _probe(cwd, *args):
    env = {**os.environ, "XDG_CACHE_HOME": str(Path(cwd).parent / "xdg-cache")}
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def vault(tmp_path_factory):
    root = tmp_path_factory.mktemp("heavy") / "vault"
    out = _probe(root.parent, "init", str(root))
    assert out["exit"] == 0 and out["heavy"] == []
    out = _probe(root, "new", "--title", "Momentum Contrast", "--key", "moco")
    assert out["exit"] == 0, out["output"]
    return root


@pytest.mark.parametrize("args", [
    ["--help"],
    ["list"],
    ["validate"],
    ["show", "moco"],
    ["new", "--title", "A Blank Note"],
    ["idea", "point", "moco", "a queue of negatives"],
    ["idea", "add", "moco", "a longer queue", "--point", "1"],
    ["idea", "list"],
], ids=lambda a: "-".join(a[:2]))
def test_note_commands_stay_light(vault, args):
    out = _probe(vault, *args)
    assert out["exit"] == 0, out["output"]
    assert out["heavy"] == [], f"{args} imported {out['heavy']}"
