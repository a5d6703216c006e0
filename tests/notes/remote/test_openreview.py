"""`papernotes new https://openreview.net/forum?id=...`: the submission's venue and authors."""

from __future__ import annotations

import yaml

from tests.notes.remote.conftest import answer


def test_openreview_forum_url(sources, fast_ws, cli, monkeypatch):
    monkeypatch.setenv("PAPERNOTES_OPENREVIEW_URL", sources.url_for("/openreview"))
    sources.expect_request("/openreview/notes", query_string="id=YicbFdNTTy").respond_with_data(
        answer("openreview_YicbFdNTTy.json"), content_type="application/json")
    r = cli("new", "https://openreview.net/forum?id=YicbFdNTTy", "--key", "vit-or", "--dry-run")
    assert r.exit_code == 0, r.output
    assert "venue: ICLR 2021  [OpenReview, fetched" in r.output
    # ViT's card names no OpenReview forum, so the id gives a note of its own
    r = cli("new", "https://openreview.net/forum?id=YicbFdNTTy", "--key", "vit-or")
    assert r.exit_code == 0, r.output
    props = yaml.safe_load((fast_ws / "notes" / "vit-or.md").read_text(encoding="utf-8")
                           .split("---\n")[1])
    assert props["authors"][0] == "Alexey Dosovitskiy" and len(props["authors"]) == 12
    assert props["year"] == 2021 and props["venue"] == "ICLR 2021"
    assert props["pdf"].startswith("https://openreview.net/pdf/")
    assert props["citekey"] == "dosovitskiyImageWorth16x162021"
