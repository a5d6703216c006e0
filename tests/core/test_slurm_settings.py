"""The `slurm:` section of papernotes.yaml and sbatch's time limit forms (core/slurm_settings.py)."""

from __future__ import annotations

import pytest

from papernotes.core.errors import PapernotesError
from papernotes.core.slurm_settings import SlurmDefaults, time_minutes
from papernotes.core.workspace import find_workspace


@pytest.mark.parametrize("text, minutes", [
    ("90", 90), ("90:30", 91), ("24:00:00", 1440), ("1:00:01", 61), ("2-0", 2880),
    ("1-12", 2160), ("1-00:30", 1470), ("0-00:00:30", 1),
])
def test_every_sbatch_time_form_is_read_in_whole_minutes(text, minutes):
    assert time_minutes(text) == minutes


@pytest.mark.parametrize("text", ["1h", "24:00:00:00", "1:60:00", "-5", "1-24", "0", "", "10:aa"])
def test_a_time_in_another_form_is_one_line_naming_the_forms(text):
    with pytest.raises(PapernotesError) as err:
        time_minutes(text)
    assert str(err.value).startswith("--time: time limit") and "HH:MM:SS" in str(err.value)
    assert "\n" not in str(err.value)


def test_the_workspace_reads_its_slurm_defaults(tmp_path):
    (tmp_path / "papernotes.yaml").write_text(
        "lang: en\nslurm:\n  partition: gpu\n  account: lab\n  time: '12:00:00'\n  gpus: 8\n"
        "  args: {mem: 480G, exclusive: true}\n", encoding="utf-8")
    cfg = find_workspace(tmp_path).config.slurm
    assert cfg == SlurmDefaults(partition="gpu", account="lab", time="12:00:00", gpus=8,
                                args={"mem": "480G", "exclusive": True})
    assert SlurmDefaults() == find_workspace(_plain(tmp_path)).config.slurm


def _plain(tmp_path):
    other = tmp_path / "plain"
    other.mkdir()
    (other / "papernotes.yaml").write_text("lang: en\n", encoding="utf-8")
    return other


@pytest.mark.parametrize("body, field", [
    ("slurm:\n  time: 1h\n", "slurm.time"),
    ("slurm:\n  partiton: gpu\n", "slurm.partiton"),
    ("slurm:\n  nodes: 0\n", "slurm.nodes"),
])
def test_a_bad_slurm_section_is_one_line_naming_its_field(tmp_path, body, field):
    (tmp_path / "papernotes.yaml").write_text(body, encoding="utf-8")
    with pytest.raises(PapernotesError) as err:
        find_workspace(tmp_path)
    assert f"papernotes.yaml: {field}: " in str(err.value) and "\n" not in str(err.value)
