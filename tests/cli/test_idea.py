"""`papernotes idea`: only the ideas region (and properties) change; errors write nothing."""

import pytest

from papernotes.core.workspace import find_workspace
from papernotes.notes.format.regions import find_regions
from papernotes.notes.model.ideas_model import PatchKind, PatchStatus
from papernotes.notes.vault import load_note


def _outside_ideas(text: str) -> str:
    r = find_regions(text)["ideas"]
    return text[:r.body_start] + text[r.body_end:]


def test_points_and_patches_round_trip_through_the_note(ws_dir, cli):
    assert cli("new", "simclr").exit_code == 0
    path = ws_dir / "notes" / "simclr.md"
    # the user's own words outside the regions must survive byte for byte
    path.write_text(path.read_text(encoding="utf-8") + "\n## 我的附注\n\n保留这一段。\n",
                    encoding="utf-8")
    original = path.read_text(encoding="utf-8")

    r = cli("idea", "point", "simclr", "两个增强视图之间的对比")
    assert r.exit_code == 0 and "point 1" in r.output, r.output
    r = cli("idea", "add", "simclr", "更强的颜色抖动", "--point", "1", "--kind", "augmentation",
            "--hypothesis", "CIFAR-10 上 +1% top-1", "--cost", "2 GPU 小时", "--story", "增强")
    assert r.exit_code == 0 and "patch 1" in r.output, r.output
    r = cli("idea", "add", "simclr", "换成 ViT 编码器", "--kind", "architecture")
    assert r.exit_code == 0 and "patch 2" in r.output
    r = cli("idea", "set", "simclr", "1", "--status", "verified", "--result", "+0.8 top-1",
            "--run-id", "0123abcd", "--repro", "simclr")
    assert r.exit_code == 0 and "verified" in r.output, r.output

    text = path.read_text(encoding="utf-8")
    assert _outside_ideas(text) == _outside_ideas(original)
    assert text.endswith("保留这一段。\n")
    ideas = load_note(find_workspace(), "simclr").note.ideas
    assert [p.text for p in ideas.points] == ["两个增强视图之间的对比"]
    p1, p2 = ideas.patches
    assert (p1.id, p1.point, p1.kind, p1.status) == (1, 1, PatchKind.augmentation, PatchStatus.verified)
    assert (p1.hypothesis, p1.cost, p1.story) == ("CIFAR-10 上 +1% top-1", "2 GPU 小时", "增强")
    assert (p1.result, p1.run_id, p1.repro) == ("+0.8 top-1", "0123abcd", "simclr")
    assert (p2.id, p2.kind, p2.status, p2.point) == (2, PatchKind.architecture, PatchStatus.idea, None)



def test_idea_set_edits_every_field_and_keeps_the_others(ws_dir, cli):
    cli("new", "simclr")
    cli("idea", "point", "simclr", "投影头")
    cli("idea", "point", "simclr", "温度")
    cli("idea", "add", "simclr", "first wording", "--point", "1", "--cost", "1 GPU 小时")
    r = cli("idea", "set", "simclr", "1", "--text", "去掉投影头", "--kind", "architecture",
            "--point", "2", "--hypothesis", "top-1 降 10 点", "--story", "投影头消融")
    assert r.exit_code == 0, r.output
    assert "patch 1 (text, kind, point, hypothesis, story changed) is idea" in " ".join(r.output.split())
    (p1,) = load_note(find_workspace(), "simclr").note.ideas.patches
    assert (p1.text, p1.kind, p1.point) == ("去掉投影头", PatchKind.architecture, 2)
    assert (p1.hypothesis, p1.story, p1.cost) == ("top-1 降 10 点", "投影头消融", "1 GPU 小时")
    assert p1.status == PatchStatus.idea
    r = cli("idea", "set", "simclr", "1", "--cost", "")  # an empty value clears a text field
    assert r.exit_code == 0, r.output
    (p1,) = load_note(find_workspace(), "simclr").note.ideas.patches
    assert (p1.cost, p1.hypothesis) == ("", "top-1 降 10 点")

def test_idea_list_one_note_and_the_whole_vault(ws_dir, cli):
    cli("new", "simclr")
    cli("new", "--title", "MoCo", "--key", "moco")
    assert cli("idea", "add", "simclr", "idea-one").exit_code == 0
    assert cli("idea", "add", "moco", "idea-two").exit_code == 0
    assert cli("idea", "set", "moco", "1", "--status", "running").exit_code == 0
    r = cli("idea", "list")
    assert r.exit_code == 0 and "idea-one" in r.output and "idea-two" in r.output
    r = cli("idea", "list", "simclr")
    assert "idea-one" in r.output and "idea-two" not in r.output
    r = cli("idea", "list", "--status", "running")
    assert "idea-two" in r.output and "idea-one" not in r.output
    r = cli("idea", "list", "--status", "verified")
    assert r.exit_code == 0 and "no patches" in r.output


def test_bad_idea_commands_are_one_line_and_write_nothing(ws_dir, cli, one_error_line, snapshot):
    cli("new", "simclr")
    cli("idea", "add", "simclr", "first")
    before = snapshot(ws_dir)
    cases = [
        (("idea", "add", "simclr", "x", "--point", "3"), "no point 3"),
        (("idea", "add", "simclr", "x", "--kind", "magic"), "kind"),
        (("idea", "set", "simclr", "7", "--status", "verified"), "no patch 7 (patches: 1)"),
        (("idea", "set", "simclr", "1", "--status", "done"), "status"),
        (("idea", "set", "simclr", "1"), "nothing to change"),
        (("idea", "set", "simclr", "1", "--point", "4"), "no point 4"),
        (("idea", "set", "simclr", "1", "--kind", "magic"), "kind"),
        (("idea", "set", "simclr", "1", "--text", "  "), "text"),
        (("idea", "add", "nosuch", "x"), "no note 'nosuch'"),
        (("idea", "add", "../simclr", "x"), "invalid note key"),
        (("idea", "list", "--status", "maybe"), "status"),
    ]
    for args, expected in cases:
        r = cli(*args)
        assert r.exit_code != 0, args
        assert expected in one_error_line(r.output), (args, r.output)
    assert snapshot(ws_dir) == before


def test_idea_on_a_non_utf8_note_is_one_line(ws_dir, cli, one_error_line):
    cli("new", "simclr")
    path = ws_dir / "notes" / "simclr.md"
    path.write_bytes(path.read_bytes() + b"\xff\xfe")
    before = path.read_bytes()
    r = cli("idea", "add", "simclr", "x")
    assert r.exit_code != 0 and "UTF-8" in one_error_line(r.output)
    assert path.read_bytes() == before


def _break_frontmatter(text):
    return text.replace("---\n", "---\ntitle: [unclosed\n", 1)


def _break_mermaid(text):
    assert "-->" in text
    return text.replace("-->", "-=>", 1)


@pytest.mark.parametrize("damage,expected", [(_break_frontmatter, "frontmatter"),
                                             (_break_mermaid, "simclr.md:")])
def test_idea_on_a_broken_note_is_one_line_and_writes_nothing(ws_dir, cli, one_error_line, snapshot,
                                                             damage, expected):
    cli("new", "simclr")
    path = ws_dir / "notes" / "simclr.md"
    path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")
    before = snapshot(ws_dir)
    for args in (("idea", "add", "simclr", "x"), ("idea", "point", "simclr", "y"),
                 ("show", "simclr")):
        r = cli(*args)
        assert r.exit_code != 0 and expected in one_error_line(r.output), (args, r.output)
    assert snapshot(ws_dir) == before


def test_story_renders_a_thread_and_follows_later_changes(ws_dir, cli):
    cli("new", "simclr", "--lang", "en")
    cli("idea", "add", "simclr", "weaker jitter", "--story", "augmentation")
    cli("idea", "add", "simclr", "unrelated")
    cli("idea", "add", "simclr", "no blur", "--story", "augmentation")
    r = cli("idea", "story", "simclr", "augmentation")
    assert r.exit_code == 0 and "2 patches: #1 idea -> #3 idea" in r.output, r.output
    path = ws_dir / "notes" / "simclr.md"
    assert "**Story:** augmentation" in path.read_text(encoding="utf-8")
    assert cli("idea", "set", "simclr", "3", "--status", "refuted").exit_code == 0
    text = path.read_text(encoding="utf-8")
    assert "| 2 | 3 | no blur | refuted |" in text and "p1 --> p3" in text and "class p3 refuted" in text
    assert cli("idea", "story", "simclr", "augmentation", "--remove").exit_code == 0
    assert "**Story:**" not in path.read_text(encoding="utf-8")


def test_experiment_options_are_checked_against_the_spec_and_write_nothing(ws_dir, cli, one_error_line,
                                                                          snapshot):
    cli("new", "simclr", "--lang", "en")
    r = cli("idea", "add", "simclr", "x", "--repro", "simclr", "--set", "aug.color_strength=0.25",
            "--expect", "eval/linear_top1 >= +1")
    assert r.exit_code == 0, r.output
    before = snapshot(ws_dir)
    cases = [
        (("idea", "set", "simclr", "1", "--set", "aug.color_strength=lots"),
         "aug.color_strength: expected a number, got 'lots'"),
        (("idea", "set", "simclr", "1", "--set", "aug.colour=1"), "aug.colour: unknown field"),
        (("idea", "set", "simclr", "1", "--set", "aug.crop_min_area=2"), "aug.crop_min_area: must be in (0, 1]"),
        (("idea", "set", "simclr", "1", "--profile", "nope"), "no profile named 'nope'"),
        (("idea", "set", "simclr", "1", "--expect", "eval/nope >= +1"), "no run carries a metric"),
        (("idea", "set", "simclr", "1", "--expect", "top1 > 1"), "METRIC >= +DELTA"),
        (("idea", "set", "simclr", "1", "--unset", "aug.blur"), "does not set 'aug.blur'"),
    ]
    for args, expected in cases:
        r = cli(*args)
        assert r.exit_code == 2, args
        assert expected in one_error_line(r.output), (args, r.output)
    assert snapshot(ws_dir) == before
    r = cli("idea", "set", "simclr", "1", "--set", "aug.color_strength=0.5", "--set", "train.epochs=5",
            "--profile", "demo")
    assert r.exit_code == 0, r.output
    (p,) = load_note(find_workspace(), "simclr").note.ideas.patches
    assert (p.sets, p.profile) == (("aug.color_strength=0.5", "train.epochs=5"), "demo")
