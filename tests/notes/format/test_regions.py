import pytest

from papernotes.core.errors import PapernotesError
from papernotes.notes.format.regions import find_regions, region_body, replace_region, wrap_region

NOTE = (
    "# Title\n\nuser text\n\n"
    "%% papernotes:begin ideas %%\nold body\n%% papernotes:end ideas %%\n"
    "\nmore user text\r\nwith CRLF\r\n"
)


def test_find_and_read_region():
    regions = find_regions(NOTE)
    assert list(regions) == ["ideas"]
    assert regions["ideas"].line == 5
    assert region_body(NOTE, "ideas") == "old body\n"
    assert region_body(NOTE, "repro") is None


def test_replace_keeps_every_other_byte():
    out = replace_region(NOTE, "ideas", "new\nbody")
    assert out == NOTE.replace("old body\n", "new\nbody\n")
    assert out.startswith("# Title\n\nuser text\n\n")
    assert out.endswith("\nmore user text\r\nwith CRLF\r\n")


def test_replace_is_idempotent():
    once = replace_region(NOTE, "ideas", "x\n")
    assert replace_region(once, "ideas", "x\n") == once


def test_missing_region_is_appended_or_refused():
    out = replace_region("text\n", "repro", "row\n")
    assert out == "text\n\n" + wrap_region("repro", "row\n")
    with pytest.raises(PapernotesError, match="no managed region 'repro'"):
        replace_region("text\n", "repro", "row", append=False)


@pytest.mark.parametrize(
    "text, line, msg",
    [
        ("a\n%% papernotes:begin x %%\n", 2, "never closed"),
        ("%% papernotes:end x %%\n", 1, "without its begin"),
        ("%% papernotes:begin x %%\n%% papernotes:begin y %%\n", 2, "inside region 'x'"),
        ("%% papernotes:begin x %%\n%% papernotes:end x %%\n%% papernotes:begin x %%\n"
         "%% papernotes:end x %%\n", 3, "appears twice"),
    ],
)
def test_broken_markers_are_one_line_errors_with_line(text, line, msg):
    with pytest.raises(PapernotesError) as err:
        find_regions(text, path="n.md")
    assert err.value.line == line
    assert msg in str(err.value)
    assert str(err.value).startswith(f"n.md:{line}: regions: ")
    assert "\n" not in str(err.value)


def test_marker_must_be_whole_line():
    assert find_regions("see `%% papernotes:begin x %%` inline\n") == {}
