"""The registries of methods and backbones: `@register_method` and `@register_backbone`.

A method is one file: its options dataclass and its `nn.Module`, registered by the decorator
(after timm's `register_model` and mmcv's `Registry`). The built-in ones and a workspace's
`repro/methods/*.py` register the same way, so the config, the spec sections, `--set` and the
engine know a method by its name alone.

This module is torch-free and imports no method: the built-ins are loaded on the first lookup
with `importlib` (`papernotes.ssl.methods` and `papernotes.ssl.models` import each of their
files), a plugin load at call time, so the config package stays below the methods that use it.

A subclass registered without `options` reads its parent's `Options`; a subclass's `Options`
that subclasses its parent's inherits the parent's config section (`option_lineage`).
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
from pathlib import Path
from typing import Any, Callable

from papernotes.core.errors import PapernotesError

_METHODS: dict[str, type] = {}
_BACKBONES: dict[str, Callable] = {}
_BUILTIN_PACKAGES = ("papernotes.ssl.methods", "papernotes.ssl.models")
_PACKAGE = Path(__file__).resolve().parents[1]  # papernotes/: the built-ins' files
_COUNT = [0]  # registrations so far: a user file that registers nothing is an error
# the config's own keys: a method of one of these names would shadow them
RESERVED = ("method", "data", "model", "aug", "optim", "train", "eval", "out_dir", "method_cfg", "code")


class RegistryError(PapernotesError):
    """A registration that cannot be: a name taken by another file, options that are not a
    frozen dataclass. Raised while the registering file is imported, so it names that file."""


def load_builtins() -> None:
    for package in _BUILTIN_PACKAGES:
        importlib.import_module(package)


def _where(obj: Any) -> str:
    try:
        return inspect.getsourcefile(obj) or obj.__module__
    except TypeError:
        return getattr(obj, "__module__", "?")


def register_method(name: str, options: type | None = None) -> Callable[[type], type]:
    """Class decorator: `name` runs this `Method` subclass; `options` is its frozen options
    dataclass (None: the parent's `Options`). Sets `cls.name` and `cls.Options`."""
    _check_name(name, "register_method")

    def wrap(cls: type) -> type:
        opts = options if options is not None else getattr(cls, "Options", None)
        if opts is None or not dataclasses.is_dataclass(opts):
            raise RegistryError(f"method {name!r} needs an options dataclass "
                                f"(options=None reads the parent's Options, and {cls.__name__} has none)",
                                field="register_method", hint="@dataclass(frozen=True) class Options: ...")
        if not opts.__dataclass_params__.frozen:
            raise RegistryError(f"the options of method {name!r} ({opts.__name__}) must be frozen",
                                field="register_method", hint="@dataclass(frozen=True)")
        _claim(_METHODS, name, cls, "method")
        cls.name, cls.Options = name, opts
        return cls

    return wrap


def register_backbone(name: str) -> Callable[[Callable], Callable]:
    """Function decorator: `model.arch: name` builds the encoder with
    `fn(model_cfg, image_size) -> (nn.Module, feature_dim)`."""
    _check_name(name, "register_backbone")

    def wrap(fn: Callable) -> Callable:
        _claim(_BACKBONES, name, fn, "backbone")
        return fn

    return wrap


def _check_name(name: Any, where: str) -> None:
    if not isinstance(name, str) or not name.isidentifier() or name != name.lower():
        raise RegistryError(f"a name must be a lower-case identifier, got {name!r}", field=where,
                            hint="e.g. mae_contrastive")
    if name in RESERVED:
        raise RegistryError(f"{name!r} is a section of every config", field=where,
                            hint="pick another name")


def _conflict(old: Any, new: Any) -> bool:
    """Two registrations of one name clash when they come from two files of one folder (a
    workspace's repro/methods/) or when the first is papernotes' own; a file of another folder
    (another workspace, in one process) replaces it, and so does the same file loaded again."""
    if old is new:
        return False
    a, b = Path(_where(old)), Path(_where(new))
    if a == b:
        return False
    return a.parent == b.parent or a.is_relative_to(_PACKAGE)


def _claim(table: dict, name: str, obj: Any, kind: str) -> None:
    old = table.get(name)
    if old is not None and _conflict(old, obj):
        raise RegistryError(f"{kind} {name!r} is already registered by {_where(old)}",
                            field=f"register_{kind}", hint="pick another name")
    table[name] = obj  # the same file loaded again (a rank, a second command) replaces itself
    _COUNT[0] += 1


def registrations() -> tuple[int, int]:
    return (_COUNT[0], len(_METHODS) + len(_BACKBONES))


def methods() -> dict[str, type]:
    """Every registered method, built-ins first (a copy)."""
    load_builtins()
    return dict(_METHODS)


def method_class(name: str) -> type | None:
    load_builtins()
    return _METHODS.get(name)


def options_class(name: str) -> type | None:
    cls = method_class(name)
    return None if cls is None else cls.Options


def option_lineage(name: str) -> list[str]:
    """The methods whose config section a config running `name` reads, root first: `name` and
    each registered ancestor whose `Options` its own `Options` is (a subclass of)."""
    cls = method_class(name)
    if cls is None:
        return []
    out = []
    for base in reversed(cls.__mro__):
        other = base.__dict__.get("name")
        if isinstance(other, str) and _METHODS.get(other) is base and issubclass(cls.Options, base.Options):
            out.append(other)
    return out


def backbones() -> dict[str, Callable]:
    load_builtins()
    return dict(_BACKBONES)


def method_source(name: str) -> str:
    """The file that defines the method's class."""
    cls = method_class(name)
    return _where(cls) if cls is not None else ""


def backbone_source(name: str) -> str:
    fn = backbones().get(name)
    return _where(fn) if fn is not None else ""


def code_files(method: str, arch: str) -> list[str]:
    """The files a run of `method` on backbone `arch` executes from: the method's class and each
    class it inherits from, and the backbone's function (built-in files included)."""
    cls = method_class(method)
    files = [_where(c) for c in (cls.__mro__ if cls is not None else ())
             if c.__module__ not in ("builtins",) and not c.__module__.startswith("torch")]
    files.append(backbone_source(arch))
    return list(dict.fromkeys(f for f in files if f))
