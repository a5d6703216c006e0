"""`papernotes import --hexo-assets`: a Hexo post's asset folder becomes Obsidian attachments."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from papernotes.cli.app import app

POST = """---
title: MAE 笔记
abbrlink: 5a3f
---
# MAE 笔记

<!--more-->

{% asset_img mae.png MAE 的结构 %}
正文里的链接：{% asset_link paper.pdf "论文 PDF" %}，路径 {% asset_path mae.png %}。
{% asset_img lost.png 丢失的图 %}
{% asset_img center mae.png 400 300 "居中 大图" %}

```
{% asset_img mae.png 代码里的不动 %}
```
"""


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def _post(tmp_path):
    posts = tmp_path / "blog" / "source" / "_posts"
    (posts / "mae").mkdir(parents=True)
    (posts / "mae" / "mae.png").write_bytes(b"\x89PNG mae bytes")
    (posts / "mae" / "paper.pdf").write_bytes(b"%PDF-1.4 paper")
    (posts / "mae.md").write_text(POST, encoding="utf-8")
    return posts / "mae.md"


def test_asset_tags_become_links_to_copied_files(ws_dir, tmp_path):
    post = _post(tmp_path)
    before = post.read_bytes()
    res = run("import", str(post), "--hexo-assets")
    assert res.exit_code == 0, res.output
    assert "mae.md:9: {% asset_img mae.png MAE 的结构 %} -> ![[notes/attachments/mae/mae.png|MAE 的结构]]" \
        in res.output
    assert "mae.md:11: asset 'lost.png' not in" in res.output
    text = (ws_dir / "notes" / "mae.md").read_text(encoding="utf-8")
    body = text[text.index("# MAE 笔记"):].split("\n")
    assert body[4:] == [
        "![[notes/attachments/mae/mae.png|MAE 的结构]]",
        "正文里的链接：[[notes/attachments/mae/paper.pdf|论文 PDF]]，路径 notes/attachments/mae/mae.png。",
        "{% asset_img lost.png 丢失的图 %}",  # no such file: kept as written
        "![[notes/attachments/mae/mae.png|居中 大图]]",  # class and sizes are not the caption
        "",
        "```",
        "{% asset_img mae.png 代码里的不动 %}",  # code is never rewritten
        "```",
        "",
    ]
    attachments = ws_dir / "notes" / "attachments" / "mae"
    assert (attachments / "mae.png").read_bytes() == b"\x89PNG mae bytes"
    assert (attachments / "paper.pdf").read_bytes() == b"%PDF-1.4 paper"
    assert post.read_bytes() == before  # the original post is untouched
    assert run("validate").exit_code == 0
    doctor = run("doctor", "notes/mae.md")
    assert "lost.png" in doctor.output and "mae.png" not in doctor.output.replace("lost.png", "")


def test_without_the_flag_tags_stay_and_nothing_is_copied(ws_dir, tmp_path):
    res = run("import", str(_post(tmp_path)))
    assert res.exit_code == 0, res.output
    assert "{% asset_img mae.png MAE 的结构 %}" in (ws_dir / "notes" / "mae.md").read_text(encoding="utf-8")
    assert not (ws_dir / "notes" / "attachments").exists()


def test_dry_run_shows_the_rewrites_and_copies_nothing(ws_dir, tmp_path):
    res = run("import", str(_post(tmp_path)), "--hexo-assets", "--dry-run")
    assert res.exit_code == 0 and "-> ![[notes/attachments/mae/mae.png|MAE 的结构]]" in res.output
    assert not (ws_dir / "notes" / "mae.md").exists() and not (ws_dir / "notes" / "attachments").exists()


def test_an_attachment_with_other_bytes_is_not_overwritten(ws_dir, tmp_path):
    target = ws_dir / "notes" / "attachments" / "mae" / "mae.png"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"someone else's picture")
    res = run("import", str(_post(tmp_path)), "--hexo-assets")
    assert res.exit_code != 0 and "exists with other bytes" in res.output
    assert target.read_bytes() == b"someone else's picture"
    assert not (ws_dir / "notes" / "mae.md").exists()


MD_POST = """---
title: SimCLR 复现
categories: [论文]
---
# SimCLR 复现

![结构](simclr-post/arch%20one.png "SimCLR")
![同一张](<arch one.png>) and ![曲线](simclr-post/img/curve.png)
![别处的图](../images/elsewhere.png) ![网上的](https://example.org/x.png)
`![代码](simclr-post/arch one.png)`
"""


def test_markdown_images_next_to_the_post_are_copied_and_followed(ws_dir, tmp_path):
    posts = tmp_path / "_posts"
    (posts / "simclr-post" / "img").mkdir(parents=True)
    (posts / "simclr-post" / "arch one.png").write_bytes(b"\x89PNG arch")
    (posts / "simclr-post" / "img" / "curve.png").write_bytes(b"\x89PNG curve")
    post = posts / "simclr-post.md"
    post.write_text(MD_POST, encoding="utf-8")
    res = run("import", str(post), "--hexo-assets")
    assert res.exit_code == 0, res.output
    assert "asset '../images/elsewhere.png' not in" in res.output
    text = (ws_dir / "notes" / "simclr-post.md").read_text(encoding="utf-8")
    body = text[text.index("# SimCLR"):].split("\n")
    assert body[2:6] == [
        '![结构](attachments/simclr-post/arch%20one.png "SimCLR")',
        "![同一张](<attachments/simclr-post/arch%20one.png>) and "
        "![曲线](attachments/simclr-post/img/curve.png)",
        "![别处的图](../images/elsewhere.png) ![网上的](https://example.org/x.png)",
        "`![代码](simclr-post/arch one.png)`",
    ]
    copies = ws_dir / "notes" / "attachments" / "simclr-post"
    assert (copies / "arch one.png").read_bytes() == b"\x89PNG arch"
    assert (copies / "img" / "curve.png").read_bytes() == b"\x89PNG curve"
    doctor = run("doctor", "notes/simclr-post.md", "--json")
    found = [(f["check"], f["message"]) for f in json.loads(doctor.output)["files"][0]["findings"]]
    assert found == [("embed", "image '../images/elsewhere.png' not found")]
