"""The one fence scan (`format/fences.py`) and the callers that skip code with it."""

from papernotes.notes.format.fences import lines_outside_fences
from papernotes.notes.format.links import code_free_lines, find_links
from papernotes.notes.importer.hexo_assets import asset_tag_names


def test_fence_lines_and_their_content_are_code():
    lines = ["a", "```python", "[[x]]", "```", "b"]
    assert list(lines_outside_fences(lines)) == [0, 4]


def test_a_fence_closes_only_with_its_own_character():
    lines = ["~~~", "```", "[[in code]]", "~~~", "[[out]]"]
    assert list(lines_outside_fences(lines)) == [4]


def test_an_indented_fence_in_a_list_item_counts():
    text = "- item\n    ```\n    [[in code]]\n    ```\n[[out]]"
    assert [link.linkpath for link in find_links(text)] == ["out"]


def test_code_free_lines_keep_offsets_and_blank_inline_code():
    text = "x\n```\ny\n```\na `[[b]]` [[c]]"
    got = list(code_free_lines(text))
    assert got == [(1, 0, "x"), (5, 12, "a         [[c]]")]
    assert text[12:] == "a `[[b]]` [[c]]"


def test_asset_tag_names_take_the_first_argument():
    assert asset_tag_names('{% asset_img "a b.png" title %} {% asset_path c.png %}') == \
        ["a b.png", "c.png"]
    assert asset_tag_names("{% asset_img %}") == []
