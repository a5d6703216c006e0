"""Hexo post assets as Obsidian attachments (`papernotes import --hexo-assets`).

With `post_asset_folder: true`, Hexo keeps a post's images in a folder named like the post
(`_posts/mae.md` -> `_posts/mae/`) and the post refers to them with tags:

    {% asset_img mae.png MAE 的结构 %}   ->  ![[notes/attachments/<key>/mae.png|MAE 的结构]]
    {% asset_link paper.pdf 论文 %}      ->  [[notes/attachments/<key>/paper.pdf|论文]]
    {% asset_path mae.png %}            ->  notes/attachments/<key>/mae.png

    ![MAE](mae/mae.png)                 ->  ![MAE](attachments/<key>/mae.png)

A tag or image is rewritten only when its file is in the asset folder (the file is then copied
into the vault); any other tag or image, and everything inside code, is kept as written. The
tags' links are vault-relative, as Obsidian resolves them; an image's Markdown destination is
relative to the note, which Obsidian and every other Markdown viewer resolve.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from papernotes.core.workspace import ATTACHMENTS
from papernotes.notes.format.fences import lines_outside_fences
from papernotes.notes.format.links import Link, md_destination, rewrite_links

_TAG = re.compile(r"\{%\s*asset_(img|link|path)\s+(.*?)\s*%\}")  # kind, arguments


@dataclass
class AssetPlan:
    copies: list[tuple[Path, Path]] = field(default_factory=list)  # (source file, target file)
    rewritten: list[tuple[int, str, str]] = field(default_factory=list)  # (body line, tag, link)
    missing: list[tuple[int, str]] = field(default_factory=list)  # (body line, file name)


def asset_folder(post: Path) -> Path:
    """Where Hexo keeps `post`'s assets: the folder beside it named after it."""
    return post.with_suffix("")


_SIZE = re.compile(r"\d+(px|%)?")


def _is_asset(folder: Path, name: str) -> bool:
    """A plain file name (no path) of a file in the asset folder."""
    return bool(name) and "/" not in name and "\\" not in name and not name.startswith(".") \
        and (folder / name).is_file()


def _args(raw: str) -> list[str]:
    try:
        return shlex.split(raw)
    except ValueError:  # an unbalanced quote: plain words
        return raw.split()


def asset_tag_names(line: str) -> list[str]:
    """The file each asset tag of `line` names: its first argument (`doctor` checks these)."""
    return [args[0] for m in _TAG.finditer(line) if (args := _args(m.group(2)))]


def _link(kind: str, target: str, title: str) -> str:
    label = title.replace("|", "/").replace("]", ")")
    if kind == "img":
        return f"![[{target}|{label}]]" if label else f"![[{target}]]"
    if kind == "link":
        return f"[[{target}|{label}]]" if label else f"[[{target}]]"
    return target


def convert_assets(body: str, post: Path, key: str, notes_dir: Path,
                   first_line: int = 1) -> tuple[str, AssetPlan]:
    """`body` with the asset tags whose files exist rewritten as Obsidian links, and the plan
    of files to copy (nothing is copied here). `first_line`: the post's line number of the
    body's first line, for the lines the plan reports."""
    folder = asset_folder(post)
    target_dir = notes_dir / ATTACHMENTS / key
    vault_rel = f"{notes_dir.name}/{ATTACHMENTS}/{key}"
    plan = AssetPlan()
    lines = body.split("\n")
    for i in lines_outside_fences(lines):
        line = lines[i]
        if "{%" not in line:
            continue

        def swap(m: re.Match, no: int = first_line + i) -> str:
            args = _args(m.group(2))
            # `asset_img [class names] slug [width] [height] [title]`: the slug is the first
            # argument naming a file of the folder; sizes after it are not part of the title
            at = next((j for j, a in enumerate(args) if _is_asset(folder, a)), None)
            if at is None:
                plan.missing.append((no, args[0] if args else ""))
                return m.group(0)
            name, rest = args[at], args[at + 1:]
            while rest and _SIZE.fullmatch(rest[0]):
                rest = rest[1:]
            if (folder / name, target_dir / name) not in plan.copies:
                plan.copies.append((folder / name, target_dir / name))
            link = _link(m.group(1), f"{vault_rel}/{name}", " ".join(rest))
            plan.rewritten.append((no, m.group(0), link))
            return link

        lines[i] = _TAG.sub(swap, line)
    body = "\n".join(lines)
    return _convert_images(body, folder, target_dir, key, plan, first_line), plan


def _asset_file(folder: Path, post_dir: Path, linkpath: str) -> Path | None:
    """The asset folder's file a Markdown image names: `mae/pic.png` (beside the post) or
    `pic.png` (Hexo's post_asset relative form); None for anything outside the folder."""
    if not folder.is_dir():
        return None
    for base in (post_dir, folder):
        candidate = (base / linkpath).resolve()
        if candidate.is_file() and candidate.is_relative_to(folder.resolve()):
            return candidate
    return None


def _convert_images(body: str, folder: Path, target_dir: Path, key: str, plan: AssetPlan,
                    first_line: int) -> str:
    """Markdown images into the asset folder (`![x](post-name/x.png)`) point at the copies,
    relative to the note (`attachments/<key>/x.png`); every other image is kept."""
    def swap(link: Link) -> str | None:
        if link.kind != "md" or not link.embed or link.external or not link.linkpath:
            return None
        source = _asset_file(folder, folder.parent, link.linkpath)
        if source is None:
            if not Path(link.linkpath).is_absolute():
                plan.missing.append((first_line + link.line - 1, link.linkpath))
            return None
        rel = source.relative_to(folder.resolve()).as_posix()
        if (source, target_dir / rel) not in plan.copies:
            plan.copies.append((source, target_dir / rel))
        raw = body[link.start:link.end]
        old = link.raw_target.partition("#")[0]
        at = raw.index("](") + 2  # the image text holds no "]": the destination starts here
        new = raw[:at] + raw[at:].replace(old, md_destination(f"{ATTACHMENTS}/{key}/{rel}"), 1)
        plan.rewritten.append((first_line + link.line - 1, raw, new))
        return new

    return rewrite_links(body, swap)[0]
