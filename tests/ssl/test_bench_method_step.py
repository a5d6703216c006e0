"""bench/bench_method_step.py times a spec's training step with overrides, for every method's
own views and updates (a teacher, a queue), and says what the profile's steps would cost."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("spec", ["dino", "mocov2"])
def test_one_line_per_run_with_the_profiles_cost(spec):
    small = ["--set", "train.batch_size=16", "--set", "data.num_train=64", "--set", "train.epochs=2"]
    if spec == "mocov2":
        small += ["--set", "mocov2.queue_size=32"]
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_method_step.py"), spec,
                           *small, "--steps", "2"], capture_output=True, text=True, timeout=300,
                          cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    line = proc.stdout.strip()
    found = re.fullmatch(rf"{spec} demo (.+): (\d+\.\d\d) s/step on 1 thread\(s\) \(batch 16, "
                         r"32 px\); its 8 steps: (\d+\.\d) min", line)
    assert found, line  # 64 images / 16 = 4 steps per epoch, x 2 epochs
    assert found.group(1) == " ".join(small[1::2]) and 0 < float(found.group(2)) < 60
