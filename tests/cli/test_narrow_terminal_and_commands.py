"""What the user reads on a terminal (issue 22): tables at 80 columns on a Chinese vault (no
header cut to `poi…`, no Chinese cell one character wide), and suggested commands that run
when pasted (names with spaces or Chinese quoted for the shell)."""

from __future__ import annotations

import shlex

import pytest
from rich.cells import cell_len

from ..user_vault import SIMCLR, write_sources

TITLE = "对比学习综述：从 SimCLR 到 DINO 的自监督表征"
POINT = "强数据增强组合是关键，颜色扰动与随机裁剪缺一不可"
IDEA = "用学习到的增强替换颜色扰动，看线性评估精度是否提升"


@pytest.fixture
def narrow(cli, monkeypatch):
    from papernotes.cli import console as console_mod

    monkeypatch.setattr(console_mod.console, "width", 80)
    return cli


def _chinese_vault(cli):
    assert cli("new", "simclr").exit_code == 0
    assert cli("new", "--title", TITLE).exit_code == 0
    assert cli("idea", "point", TITLE, POINT).exit_code == 0
    assert cli("idea", "add", TITLE, IDEA, "--point", "1", "--hypothesis", "线性评估 top-1 提升 1 个点",
               "--cost", "2 GPU 小时").exit_code == 0


def _readable(output: str, headers: list[str]) -> list[str]:
    """The table's lines: none wider than 80, nothing cut, every header whole."""
    lines = output.splitlines()
    assert all(cell_len(ln) <= 80 for ln in lines if ln[:1] in "┏┃┡│└"), output
    assert "…" not in output, output
    head = next(ln for ln in lines if ln.startswith("┃"))
    shown = [h.strip() for h in head.strip("┃").split("┃")]
    assert all(h in headers for h in shown if h), (shown, output)
    return lines


def test_tables_fit_80_columns_without_cutting_words(ws_dir, narrow):
    _chinese_vault(narrow)
    r = narrow("idea", "list")
    assert r.exit_code == 0, r.output
    _readable(r.output, ["note", "id", "point", "kind", "status", "idea", "hypothesis", "expect",
                         "effect", "result", "run"])
    assert "用学习到的" in r.output  # four or more characters to a line, never one
    assert "(not shown at this width:" in r.output and "--json" in r.output
    r = narrow("list")
    assert r.exit_code == 0, r.output
    _readable(r.output, ["key", "title", "status", "rating", "tags", "repro", "last", "result",
                         "last result"])
    assert "对比学习综述" in r.output and "⚪ 未读" in r.output
    r = narrow("show", "simclr")
    assert r.exit_code == 0, r.output
    assert "…" not in r.output and all(cell_len(ln) <= 80 for ln in r.output.splitlines())
    assert "数据集" in r.output and "数值" in r.output and "69.3" in r.output


def test_a_wide_terminal_shows_every_column(ws_dir, cli):
    _chinese_vault(cli)
    r = cli("idea", "list")
    assert "hypothesis" in r.output and "not shown" not in r.output, r.output


def test_suggested_commands_are_quoted_for_the_shell():
    from papernotes.core.shell import command

    line = command("show", SIMCLR)
    assert line == "papernotes show 'SimCLR 阅读笔记'"
    assert shlex.split(line) == ["papernotes", "show", SIMCLR]
    assert command("new", "simclr") == "papernotes new simclr"
    assert shlex.split(command("idea", "set", "对比学习", 1)) == ["papernotes", "idea", "set",
                                                                  "对比学习", "1"]


def test_a_suggested_command_runs_as_printed(ws_dir, cli, tmp_path):
    sources = write_sources(tmp_path / "old-vault")
    assert cli("import", str(sources[SIMCLR])).exit_code == 0
    r = cli("new", "simclr")  # the paper is in the vault already: the line says how to see it
    assert r.exit_code == 2
    suggested = r.output.split("`")[1]
    assert suggested == "papernotes show 'SimCLR 阅读笔记'", r.output
    words = shlex.split(suggested)
    again = cli(*words[1:])
    assert again.exit_code == 0 and "SimCLR" in again.output, again.output


def test_init_says_how_to_go_on_in_a_folder_with_a_space(tmp_path, cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = cli("init", "my vault")
    assert r.exit_code == 0 and "next: cd 'my vault' && papernotes new simclr" in r.output
