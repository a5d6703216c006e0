"""A small vault shaped like the user's own (issue 22): notes in the user's Chinese template with
their own words where the tools expect data, written the way Obsidian and Hexo leave them.

- `SimCLR 阅读笔记.md`: an Obsidian note; an unquoted `arxiv: 2002.05709`, tags in the user's case
  (`SimCLR`, `ViT`), a header edited by hand (`2024/6/24`, `🔵 在读`, `⭐⭐⭐⭐☆`), free-text
  cells in the results table (`70.1±0.2`, `~70`, `N/A`, `—`, `76.5 (4x)`) and in the metadata
  table (`2020（ICML，...）`).
- `MAE 论文笔记.md`: a Hexo post in Chinese with CRLF line endings, an English heading, a code
  block, tags `MAE`/`ViT`.

`write_sources(folder)` writes them as files to import; `write_into(ws_root)` puts the SimCLR
note straight into a workspace's `notes/`.

`write_obsidian_vault(folder)`: the user's Obsidian vault as it really is: `.obsidian/app.json`
(attachments in `attachments/`), the SimCLR note at the top with embedded images (a wikilink
embed with a size, a Markdown image with `%20`), a linked PDF, a path-qualified and aliased
link to `论文/DINO 自蒸馏` and to its heading, one embed of an image the vault does not hold;
`论文/DINO 自蒸馏.md` (CRLF, `aliases: [DINO]`), `论文/精读/MoCo 动量对比.md` two folders
down, the attachments, and a `.trash/` note Obsidian hides.
"""

from __future__ import annotations

from pathlib import Path

SIMCLR = "SimCLR 阅读笔记"
MAE = "MAE 论文笔记"

FREE_CELLS = ("70.1±0.2", "~70", "N/A", "—", "76.5 (4x)")

SIMCLR_TEXT = """\
---
title: SimCLR 阅读笔记
arxiv: 2002.05709
tags: [SimCLR, 对比学习, ViT]
status: unread
date: 2024-06-01
rating: 3
---
# 论文阅读笔记：SimCLR 阅读笔记

**日期：** 2024/6/24
**状态：** 🔵 在读
**评级：** ⭐⭐⭐⭐☆ (根据个人理解和对工作的评价)

---

## 1. 元数据 (Metadata)

| 条目         | 内容                                                    |
| :----------- | :------------------------------------------------------ |
| **标题**     | A Simple Framework for Contrastive Learning of Visual Representations |
| **年份**     | 2020（ICML，arXiv 预印本更早）                          |

---

## 2. 摘要与核心问题 (Abstract & Core Problem)

SimCLR：一个简单的视觉表征对比学习框架，线性分类器达到 76.5% 的 top-1 精度。

---

## 5. 实验结果 (Experiments)

| 数据集 | 评测协议 | 骨干网络 | 指标 | 数值 | 出处 | 备注 |
| :----- | :------- | :------- | :--- | ---: | :--- | :--- |
| ImageNet | linear eval | ResNet-50 | top-1 | 70.1±0.2 | Table 6 | 三次运行 |
| ImageNet | linear eval | ResNet-50 | top-5 | ~70 | 图 1 |  |
| CIFAR-10 | kNN | ResNet-50 | top-1 | N/A | | 没报告 |
| ImageNet | semi 1% | ResNet-50 | top-1 | — | Table 7 |  |
| ImageNet | linear eval | ResNet-50 (4x) | top-1 | 76.5 (4x) | Table 6 |  |

## 我的想法

投影头为什么有效？
"""

MAE_TEXT = (
    "---\n"
    "title: MAE 论文笔记\n"
    "date: 2022-01-01 10:00:00\n"
    "tags: [MAE, ViT]\n"
    "categories: [论文]\n"
    "---\n"
    "MAE 的核心：遮住 75% 的 patch，只编码可见的部分。\n"
    "<!--more-->\n"
    "## Method\n"
    "\n"
    "encoder 只看可见 patch，decoder 用 mask token 重建像素。\n"
    "\n"
    "```python\n"
    "import torch\n"
    "x = torch.randn(8, 3, 224, 224)\n"
    "mask_ratio = 0.75\n"
    "loss = ((pred - target) ** 2).mean()\n"
    "```\n"
).replace("\n", "\r\n")


def write_sources(folder: Path) -> dict[str, Path]:
    """The user's notes as files in `folder` (an Obsidian vault and a blog post), by name."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, text in ((SIMCLR, SIMCLR_TEXT), (MAE, MAE_TEXT)):
        path = folder / f"{name}.md"
        path.write_bytes(text.encode("utf-8"))
        out[name] = path
    return out


def write_into(ws_root: Path, name: str = SIMCLR, text: str = SIMCLR_TEXT) -> Path:
    """One of the user's notes written straight into the workspace's `notes/`."""
    path = ws_root / "notes" / f"{name}.md"
    path.write_bytes(text.encode("utf-8"))
    return path


def bare_lf(data: bytes) -> int:
    """How many lines of a CRLF file end with a bare LF (0 when it stayed CRLF throughout)."""
    return data.count(b"\n") - data.count(b"\r\n")


PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
DINO = "DINO 自蒸馏"
MOCO = "MoCo 动量对比"
MISSING_IMAGE = "不存在的图.png"
ATTACHMENTS = {"SimCLR 框架图.png": PNG + b"simclr", "loss curve.png": PNG + b"loss",
               "SimCLR.pdf": b"%PDF-1.4\n% simclr\n"}

VAULT_SIMCLR = SIMCLR_TEXT.replace("## 我的想法\n", """\
![[SimCLR 框架图.png|400]]

![损失曲线](attachments/loss%20curve.png)

原文：[[SimCLR.pdf]]，对照 [[论文/DINO 自蒸馏|DINO]] 的 [[论文/DINO 自蒸馏#方法|方法]]，
以及 [[DINO]] 和 [[MoCo 动量对比]]。

![[不存在的图.png]]

## 我的想法
""")

DINO_TEXT = (
    "---\n"
    "title: DINO 自蒸馏\n"
    "aliases: [DINO]\n"
    "tags: [DINO, ViT]\n"
    "---\n"
    "# DINO 自蒸馏\n"
    "\n"
    "## 方法\n"
    "\n"
    "教师网络是学生网络的动量平均，中心化 + 锐化防止坍塌。\n"
    "\n"
    "![[SimCLR 框架图.png]]\n"
    "\n"
    "回到 [[SimCLR 阅读笔记]]。\n"
).replace("\n", "\r\n")

MOCO_TEXT = ("# MoCo 动量对比\n\n队列 + 动量编码器。见 [[论文/DINO 自蒸馏]]。\n\n"
             "![曲线](../../attachments/loss%20curve.png)\n")


def write_obsidian_vault(folder: Path) -> dict[str, Path]:
    """The user's Obsidian vault in `folder` (see the module docstring); its notes by name."""
    (folder / ".obsidian").mkdir(parents=True, exist_ok=True)
    (folder / ".obsidian" / "app.json").write_text(
        '{"attachmentFolderPath": "attachments", "newLinkFormat": "shortest"}', encoding="utf-8")
    (folder / "attachments").mkdir(exist_ok=True)
    for name, data in ATTACHMENTS.items():
        (folder / "attachments" / name).write_bytes(data)
    notes = {SIMCLR: folder / f"{SIMCLR}.md", DINO: folder / "论文" / f"{DINO}.md",
             MOCO: folder / "论文" / "精读" / f"{MOCO}.md"}
    texts = {SIMCLR: VAULT_SIMCLR, DINO: DINO_TEXT, MOCO: MOCO_TEXT}
    for name, path in notes.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(texts[name].encode("utf-8"))
    (folder / ".trash").mkdir(exist_ok=True)
    (folder / ".trash" / "旧笔记.md").write_text("# 旧笔记\n", encoding="utf-8")
    return notes
