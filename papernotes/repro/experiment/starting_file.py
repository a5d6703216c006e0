"""`papernotes idea code KEY ID`: the starting file of a patch written as code.

It writes `repro/methods/<key>_<id>_<kind>.py`: a subclass of the note's method (or `--from`
another) with the one hook of its kind to change, an options dataclass subclassing the parent's,
and comments that say what the hook receives and returns; or, for `--kind backbone`, a
`@register_backbone` function. Untouched, the file changes nothing (the hook calls the parent),
so its arms equal the baseline's seed for seed. The patch's experiment gets `--set
method=<name>` (`model.arch=<name>` for a backbone), so `idea run KEY ID` runs it at once.
The hooks are those of `papernotes/ssl/methods/base.py`; the idea of a template per extension
point is timm's and Detectron2's "write a subclass, register it by name".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from papernotes.core.errors import PapernotesError
from papernotes.core.shell import command
from papernotes.core.workspace import Workspace
from papernotes.notes.model.ideas_model import Patch
from papernotes.repro.spec.user_methods import load_workspace_methods, methods_dir

KINDS = ("loss", "architecture", "views", "backbone")
FROM_PATCH_KIND = {"loss": "loss", "architecture": "architecture", "augmentation": "views"}
_DOC = '''"""Patch {key}#{id} ({kind}): {text}

{what} `idea code` set the patch's `--set {assign}`, so
`papernotes idea run {key} {id}` runs it against its baseline, `{base}`. Untouched, this file
changes nothing: its numbers equal the baseline's, seed for seed (the verdict says so).
{options}"""
'''
_METHOD_OPTIONS = '''Its options: `--set {name}.FIELD=VALUE` on the patch, or a `{name}:` section in a
spec profile; the profile's `{base}:` section applies too (this Options subclasses {cls}'s).
'''
_HOOKS = {
    "loss": '''    def forward(self, views: list[torch.Tensor], step: int) -> tuple[torch.Tensor, torch.Tensor]:
        """views: what `self.views` made for this step, a list of float tensors on the device.
        step: the global optimiser step (0-based).
        Returns (loss, features): the scalar loss to minimise, and the encoder features
        [V*n, feature_dim] the online probe learns from. self.encoder(x) -> [n, feature_dim];
        the losses of every method are in papernotes.ssl.losses."""
        loss, features = super().forward(views, step)
        if self.options.weight:
            extra = loss.new_zeros(())  # your term here, e.g. a loss on self.encoder(...) features
            loss = loss + self.options.weight * extra
        return loss, features
''',
    "views": '''    def views(self, images: torch.Tensor, generator: torch.Generator | None) -> list[torch.Tensor]:
        """images: uint8 [n, 3, H, W] on the device, one batch of the data set.
        generator: this step's random stream (a pure function of seed, rank and step): draw
        every random number from it, so a resumed run draws the same.
        Returns the list of float views that `forward` receives (papernotes.ssl.views has the
        building blocks: augment.two_views, augment.crop_flip_view, multicrop, image_ops)."""
        return super().views(images, generator)
''',
    "architecture": '''    def __init__(self, cfg) -> None:
        """cfg: the run's PretrainConfig (cfg.model, cfg.data.image_size, ...); self.options is
        this file's Options. After super().__init__ the parent's networks exist (self.encoder,
        self.feature_dim, its heads): replace one here, e.g. self.head = nn.Sequential(...).
        Every module assigned to self is trained, checkpointed and moved to the device."""
        super().__init__(cfg)
''',
}


@dataclass(frozen=True)
class StartingFile:
    path: Path
    name: str  # the method (or backbone) it registers
    assign: str  # the patch's new set: method=<name> or model.arch=<name>
    kind: str
    base: str  # the method (or backbone) it starts from


def starting_kind(kind: str | None, patch: Patch) -> str:
    if kind is None:
        return FROM_PATCH_KIND.get(patch.kind.value, "loss")
    if kind not in KINDS:
        raise PapernotesError(f"unknown kind {kind!r}", field="--kind", hint=f"one of: {', '.join(KINDS)}")
    return kind


def file_name(key: str, patch_id: int, kind: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", key.lower()).strip("_")
    slug = slug if slug[:1].isalpha() else f"patch_{slug}".rstrip("_")
    return f"{slug}_{patch_id}_{kind}"


def plan_file(ws: Workspace, key: str, patch: Patch, note_repro: str | None, kind: str | None = None,
              base: str | None = None) -> StartingFile:
    """What `idea code` writes, checked (the spec resolves, `--from` names a method)."""
    from papernotes.repro.experiment.plan import spec_of
    from papernotes.repro.spec.find import spec_path
    from papernotes.repro.spec.model import load_spec, resolve
    from papernotes.ssl.registry import methods

    kind = starting_kind(kind, patch)
    load_workspace_methods(ws)
    path = spec_path(spec_of(patch, note_repro, key), ws.repro_dir)
    spec, doc = load_spec(path)
    cfg = resolve(spec, doc, path, patch.profile).config
    if base is not None and base not in methods():
        raise PapernotesError(f"unknown method {base!r}", field="--from", hint=f"known: {', '.join(methods())}")
    name = file_name(key, patch.id, kind)
    target = methods_dir(ws) / f"{name}.py"
    if target.exists():
        raise PapernotesError("the patch's starting file exists already", path=target, field="idea code",
                              hint="edit it, or delete it to start again")
    if kind == "backbone":
        if base is not None:
            raise PapernotesError("a backbone starts from the spec's model.arch", field="--from",
                                  hint="--from names a method; leave it out with --kind backbone")
        return StartingFile(target, name, f"model.arch={name}", kind, cfg.model.arch)
    return StartingFile(target, name, f"method={name}", kind, base or cfg.method)


def render(plan: StartingFile, key: str, patch: Patch) -> str:
    text = patch.text.replace('"""', "'''")
    if plan.kind == "backbone":
        doc = _DOC.format(key=key, id=patch.id, kind=plan.kind, text=text, assign=plan.assign, base=plan.base,
                          what=f"A backbone registered as `{plan.name}` (`model.arch`), starting as `{plan.base}`:",
                          options="")
        return doc + f'''
from dataclasses import replace

from papernotes.ssl.models import backbones, register_backbone


@register_backbone("{plan.name}")
def build(model_cfg, image_size: int):
    """model_cfg: the run's ModelConfig (its arch is "{plan.name}"; base_channels, width, ...).
    image_size: the side of the training views.
    Returns (encoder, feature_dim): encoder(x) maps float images [N, 3, H, W] in [0, 1] to
    features [N, feature_dim]. Untouched: the baseline's {plan.base}, built as papernotes builds it."""
    return backbones()["{plan.base}"](replace(model_cfg, arch="{plan.base}"), image_size)
'''
    from papernotes.ssl.registry import method_class

    cls = method_class(plan.base)
    builtin = cls.__module__.startswith("papernotes.ssl.methods")
    parent = cls.__name__ if builtin else "Parent"
    what = f"A subclass of {parent} (method `{plan.base}`) registered as\n`{plan.name}`:"
    doc = _DOC.format(key=key, id=patch.id, kind=plan.kind, text=text, assign=plan.assign, base=plan.base,
                      what=what, options=_METHOD_OPTIONS.format(name=plan.name, base=plan.base, cls=parent))
    imports = (f"from papernotes.ssl.methods import {parent}, register_method\n" if builtin else
               "from papernotes.ssl.methods import register_method\nfrom papernotes.ssl.registry import method_class\n"
               f'\nParent = method_class("{plan.base}")  # a method of another file of repro/methods/\n')
    option = ("    weight: float = 0.0  # your option: the new term's weight (0: off, the baseline's loss)\n"
              if plan.kind == "loss" else
              "    pass  # your options here, e.g. `strength: float = 1.0`, read as self.options.strength\n")
    return doc + f'''
from dataclasses import dataclass

import torch

{imports}

@dataclass(frozen=True)
class Options({parent}.Options):
{option}

@register_method("{plan.name}", options=Options)
class Patched({parent}):
{_HOOKS[plan.kind]}'''


def write_starting_file(ws: Workspace, key: str, patch: Patch, note_repro: str | None,
                        kind: str | None = None, base: str | None = None) -> StartingFile:
    """Write the file (it must load: it is checked like any user file before it is kept)."""
    from papernotes.core.atomic import atomic_write_text
    from papernotes.ssl.user_code import UserCodeError, load_file

    plan = plan_file(ws, key, patch, note_repro, kind, base)
    plan.path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(plan.path, render(plan, key, patch))
    try:
        load_file(plan.path)
    except UserCodeError:  # a template of ours that does not load is a bug: leave nothing behind
        plan.path.unlink(missing_ok=True)
        raise RuntimeError(f"idea code wrote a file that does not load: {plan.path}") from None
    return plan


def next_step(key: str, patch: Patch) -> str:
    return command("idea", "run", key, patch.id)
