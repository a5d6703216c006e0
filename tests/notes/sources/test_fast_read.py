"""Cards and specs read through libyaml (core/yaml_doc.fast_load) are the very objects the
round-trip read gives; a file the fast read doubts is read the slow way, which names the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from papernotes.core.errors import PapernotesError
from papernotes.core.resources import catalog_dir, shipped_dir
from papernotes.notes.sources.catalog import _read_card, _read_card_fast
from papernotes.repro.spec.header import read_header
from papernotes.repro.spec.model import load_spec


@pytest.mark.parametrize("path", sorted(catalog_dir().glob("*.yaml")), ids=lambda p: p.stem)
def test_every_card_reads_the_same_both_ways(path):
    fast = _read_card_fast(path, path.read_text(encoding="utf-8"))
    assert fast is not None and fast == _read_card(path, fast=False)


@pytest.mark.parametrize("path", sorted(shipped_dir("repro").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_shipped_spec_reads_the_same_both_ways(path):
    header, spec = read_header(path), load_spec(path)[0]
    assert (header.name, header.paper, header.expected, list(header.profiles), header.default_profile) == \
        (spec.name, spec.paper, spec.expected, list(spec.profiles), spec.default_profile)


def test_a_broken_card_or_spec_still_names_its_line(tmp_path):
    card = (catalog_dir() / "simclr.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "simclr.yaml"
    bad.write_text(card.replace("year: 2020", "year: twenty"), encoding="utf-8")
    with pytest.raises(PapernotesError) as err:
        _read_card(bad)
    assert err.value.line == card.split("\n").index("year: 2020") + 1 and err.value.field == "year"
    spec = shipped_dir("repro") / "simclr.yaml"
    text = spec.read_text(encoding="utf-8")
    broken = tmp_path / "simclr-spec.yaml"
    broken.write_text(text.replace("default_profile:", "default_profile: nope\nx_default_profile:", 1),
                      encoding="utf-8")
    with pytest.raises(PapernotesError) as err:
        read_header(Path(broken))
    assert err.value.line is not None
