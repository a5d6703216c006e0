"""Property: the user's text survives any number of render_update rewrites.

Random paragraphs and whole `## ` sections (Unicode, emoji, CRLF notes) are inserted at any line
boundary outside the managed regions and fenced blocks (a blank line before and after them); then the ideas log and properties are changed again and
again. Every byte outside the frontmatter and the `ideas` region must stay as the user left it,
and the note must parse back to exactly what was written.
"""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from papernotes.notes.format.frontmatter import split_frontmatter
from papernotes.notes.format.markdown import parse_blocks
from papernotes.notes.format.parse import parse_note
from papernotes.notes.format.regions import find_regions
from papernotes.notes.format.render import render_new, render_update
from papernotes.notes.format.section_labels import LABELS
from papernotes.notes.model.ideas_model import IdeaLog, Patch, Point
from papernotes.notes.model.schema import STATUS_LABELS, ReadingStatus

from ..conftest import simclr_note

_alphabet = st.sampled_from(list("abcxyzABC 中文笔记对比学习,.;:!?()'\"") +
                            ["🙂", "🚀", "é", "ß", "∑", "→", "[[moco]]", "$x^2$", "**b**"])
_words = st.lists(_alphabet, min_size=1, max_size=30).map("".join)
# A paragraph: starts with a letter (so it is never a heading, list, table, fence or quote).
_paragraph = st.lists(_words.map(lambda w: "p" + w.rstrip()), min_size=1, max_size=3).map("\n".join)
_section = st.tuples(_words, _paragraph).map(lambda t: f"## My {t[0].strip()}\n\n{t[1]}")
_block = st.one_of(_paragraph, _section)


def _line_boundaries(text: str) -> list[int]:
    """Offsets of line starts in the body, outside managed regions and fenced blocks."""
    body_start = split_frontmatter(text).end
    regions = find_regions(text).values()
    fences = [t.map for t in parse_blocks(text[body_start:]) if t.type == "fence"]
    out, pos = [body_start], body_start
    for n, line in enumerate(text[body_start:].split("\n")[:-1], start=1):
        pos += len(line) + 1
        if any(a < n < b for a, b in fences) or any(r.start < pos < r.end for r in regions):
            continue
        out.append(pos)
    return out


_HEADER = tuple(p for prefixes in LABELS.values() for p in prefixes)


def _outside(text: str) -> str:
    """The note without its frontmatter, the body of its ideas region and the header lines
    under the title (derived from the properties)."""
    body = text[split_frontmatter(text).end:]
    r = find_regions(body)["ideas"]
    body = body[:r.body_start] + body[r.body_end:]
    return "".join(ln for ln in body.splitlines(keepends=True) if not ln.startswith(_HEADER))


_changes = st.lists(st.tuples(
    st.sampled_from(list(ReadingStatus)), st.integers(1, 5),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=20).map(str.strip),
    st.sampled_from(["ssl", "vision/contrastive", "中文标签", "ml"]),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=25).map(str.strip)
    .filter(bool),
), min_size=1, max_size=4)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lang=st.sampled_from(["zh", "en"]), crlf=st.booleans(),
       inserts=st.lists(st.tuples(st.integers(0, 10_000), _block), min_size=1, max_size=5),
       changes=_changes)
# found by this test: an idea whose text is literally `<br>` came back empty
@example(lang="zh", crlf=False, inserts=[(0, "pa")],
         changes=[(ReadingStatus.unread, 1, "", "ssl", "<br>")])
def test_user_text_survives_rewrites(lang, crlf, inserts, changes):
    text = render_new(simclr_note(lang))
    text = text.replace("venue: ICML\n", "venue: ICML\nmy-own-key: 我的 🙂  # keep\n", 1)
    for where, block in inserts:
        spots = _line_boundaries(text)
        at = spots[where % len(spots)]
        text = text[:at] + "\n" + block + "\n\n" + text[at:]
    if crlf:
        text = text.replace("\n", "\r\n")
    expected_outside = _outside(text)

    parsed = parse_note(text, key="simclr")
    for n, (status, rating, title, tag, idea) in enumerate(changes, start=1):
        old = parsed.note
        ideas = IdeaLog(points=[*old.ideas.points, Point(id=100 + n, text=idea)],
                        patches=[*old.ideas.patches, Patch(id=100 + n, text=idea, point=100 + n,
                                                           kind="loss", hypothesis=idea)])
        meta = old.meta.model_copy(update={"title": title, "tags": [*old.meta.tags, tag]})
        new = old.model_copy(update={"status": status, "rating": rating, "meta": meta,
                                     "ideas": ideas})
        new = type(new).model_validate(new.model_dump())  # re-run validators (tag dedup)
        out = render_update(parsed, new)
        assert _outside(out) == expected_outside
        assert "my-own-key: 我的 🙂  # keep" in out
        title = out.replace("\r\n", "\n").index("\n# ")
        head = out.replace("\r\n", "\n")[title:title + 400].split("\n---\n")[0]
        if "\n## " not in head:  # the header under the title follows the properties
            assert STATUS_LABELS[lang][status] in head and "⭐" * rating + " (" in head
        if crlf:
            assert "\n" not in out.replace("\r\n", "")
        parsed = parse_note(out, key="simclr")
        assert parsed.note == new
        assert render_update(parsed, parsed.note) == out


# --- whole notes: parse_note(render_new(n)).note == n for random, partly empty notes -------------

_plain = st.lists(st.sampled_from(list("abcxyz 中文笔记学习,.;!?'") + ["🙂", "é", "∑", "|", "[[moco]]"]),
                  min_size=0, max_size=20).map(lambda c: ("w" + "".join(c)).strip())
_opt = st.one_of(st.just(""), _plain)
_paras = st.lists(_plain, min_size=0, max_size=3).map("\n\n".join)
_word = st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,8}", fullmatch=True)


@st.composite
def notes(draw):
    from papernotes.notes.model.mermaid import MermaidDiagram, MermaidEdge, MermaidNode
    from papernotes.notes.model.schema import Background, Metadata, Method, Note, RelatedWork, Result, Term
    lists = lambda s, n=3: st.lists(s, max_size=n)  # noqa: E731
    diagram = draw(st.one_of(st.none(), st.just(MermaidDiagram(
        direction="LR", nodes=[MermaidNode(id="A", label="in"), MermaidNode(id="B", shape="circle")],
        edges=[MermaidEdge(src="A", dst="B", label="go")]))))
    return Note(
        key="k", lang=draw(st.sampled_from(["zh", "en"])),
        status=draw(st.sampled_from(list(ReadingStatus))), rating=draw(st.one_of(st.none(), st.integers(1, 5))),
        aliases=draw(lists(_plain.filter(bool))),
        meta=Metadata(title=draw(_opt), authors=draw(lists(_word)),
                      institutions=draw(lists(_plain.filter(bool).map(lambda s: s.replace(";", "")))),
                      venue=draw(_opt), year=draw(st.one_of(st.none(), st.integers(1950, 2030))),
                      paper_url=draw(st.sampled_from(["", "https://arxiv.org/abs/2002.05709"])),
                      arxiv=draw(st.sampled_from([None, "2002.05709", "1911.05722v3"])),
                      code_url=draw(st.sampled_from(["", "https://github.com/x/y"])),
                      tags=draw(lists(st.sampled_from(["ssl", "cv/contrastive", "中文"])))),
        abstract=draw(_paras), problem=draw(_opt), contributions=draw(lists(_plain.filter(bool))),
        background=Background(
            terms=[Term(term=t, explanation=e) for t, e in draw(lists(st.tuples(_word, _opt)))],
            related_work=[RelatedWork(name=n, summary=s, limitation=lim)
                          for n, s, lim in draw(lists(st.tuples(_word, _opt, _opt)))],
            limitation=draw(_opt)),
        method=Method(core_idea=draw(_opt), diagram=diagram, text=draw(_paras)),
        results=[Result(dataset=d, protocol="linear eval", backbone="ResNet-50", metric="top-1",
                        value=v, source=s)
                 for d, v, s in draw(lists(st.tuples(_word, st.floats(0, 100, allow_nan=False).map(
                     lambda x: round(x, 2)), _opt)))],
        strengths=draw(lists(_plain.filter(bool))), weaknesses=draw(lists(_plain.filter(bool))),
        thoughts=draw(_paras), repro=draw(st.sampled_from([None, "simclr"])),
        related=draw(lists(st.sampled_from(["moco", "byol"]), 2)),
    )


@settings(max_examples=60, deadline=None)
@given(notes())
def test_random_notes_round_trip(note):
    text = render_new(note)
    parsed = parse_note(text, key="k")
    assert parsed.note == note
    assert render_update(parsed, parsed.note) == text
