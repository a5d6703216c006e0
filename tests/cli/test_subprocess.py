"""The installed `papernotes` console script, end to end, in a fresh temporary folder."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).with_name("papernotes")


def _run(cwd, *args):
    cache = Path(cwd).parent / "xdg-cache" if Path(cwd).name == "demo" else Path(cwd) / "xdg-cache"
    cmd = [str(SCRIPT), *args] if SCRIPT.exists() else [sys.executable, "-m", "papernotes", *args]
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "XDG_CACHE_HOME": str(cache)}
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=120, env=env)


@pytest.mark.skipif(not SCRIPT.exists() and shutil.which("papernotes") is None,
                    reason="console script not installed")
def test_init_new_idea_validate_as_a_user_would(tmp_path):
    r = _run(tmp_path, "init", "demo")
    assert r.returncode == 0, r.stderr
    demo = tmp_path / "demo"
    assert (demo / "papernotes.yaml").is_file()

    r = _run(demo, "new", "simclr")
    assert r.returncode == 0, r.stderr
    note = demo / "notes" / "simclr.md"
    assert r.stdout.strip() == str(note)
    text = note.read_text(encoding="utf-8")
    # reads like the user's template, filled in with SimCLR
    for heading in ("# 论文阅读笔记：", "## 1. 元数据 (Metadata)", "## 2. 摘要与核心问题",
                    "## 3. 背景知识 (Background)", "## 4. 方法/模型 (Methodology/Model)"):
        assert heading in text, heading
    assert text.index("## 1.") < text.index("## 2.") < text.index("## 3.") < text.index("## 4.")
    for value in ("A Simple Framework for Contrastive Learning of Visual Representations",
                  "Ting Chen", "2002.05709", "76.5", "```mermaid"):
        assert value in text, value

    r = _run(demo, "idea", "add", "simclr", "用更大的温度范围扫描 NT-Xent", "--kind", "loss")
    assert r.returncode == 0, r.stderr
    assert "用更大的温度范围扫描 NT-Xent" in note.read_text(encoding="utf-8")

    r = _run(demo, "validate")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "1 note(s) checked, 0 with problems" in r.stdout

    before = note.read_bytes()
    r = _run(demo, "new", "simclr")
    assert r.returncode != 0
    assert r.stdout == "" and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert r.stderr.startswith("error: ") and "--force" in r.stderr and "Traceback" not in r.stderr
    assert note.read_bytes() == before


def test_bad_input_is_one_line_on_stderr(tmp_path):
    assert _run(tmp_path, "init", "demo").returncode == 0
    demo = tmp_path / "demo"
    (demo / "notes" / "broken.md").write_bytes(b"---\ntitle: x\n---\n\xff\n")
    for args, expected in ((("new", "nosuchpaper"), "nosuchpaper"),
                           (("new", "../up"), "invalid note key"),
                           (("show", "broken"), "UTF-8")):
        r = _run(demo, *args)
        assert r.returncode != 0, args
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and expected in lines[0] and "Traceback" not in r.stderr, r.stderr
    assert sorted(p.name for p in (demo / "notes").iterdir()) == ["broken.md", "papers.base"]  # init's base
    assert not (tmp_path / "up.md").exists()


@pytest.mark.skipif(not SCRIPT.exists() and shutil.which("papernotes") is None,
                    reason="console script not installed")
def test_usage_mistakes_are_one_line_naming_the_command(tmp_path):
    """typer's usage box is replaced by one line: the command, the mistake, where to look."""
    assert _run(tmp_path, "init", "demo").returncode == 0
    demo = tmp_path / "demo"
    cases = [(("idea", "add"), "papernotes idea add: Missing argument 'key'"),
             (("idea", "add", "simclr"), "papernotes idea add: Missing argument 'text'"),
             (("nosuch",), "papernotes: No such command 'nosuch'"),
             (("list", "--bogus"), "papernotes list: No such option: --bogus"),
             (("idea", "set", "simclr", "one", "--status", "verified"),
              "papernotes idea set: Invalid value for 'ID'")]
    for args, expected in cases:
        r = _run(demo, *args)
        assert r.returncode == 2, (args, r.returncode)
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: " + expected), (args, r.stderr)
        assert lines[0].endswith("--help')") and r.stdout == "", (args, r.stdout)
    for args in ((), ("idea",), ("--help",)):  # no arguments still shows the help, exit 0
        r = _run(demo, *args)
        assert r.returncode == 0 and "Usage: papernotes" in r.stdout and r.stderr == "", args
