"""Repro specs: `repro/<name>.yaml`, a base PretrainConfig and named profiles over it.

    name: simclr
    paper: simclr                 # the note the results go into (its key, title or alias)
    expected: [{metric, value, backbone, dataset, source}]   # the paper's numbers
    base: {<PretrainConfig as a mapping, partial>}
    profiles: {<name>: {description, gpus, <partial PretrainConfig sections>}}
    default_profile: resnet18

The training part is validated by the engine's own dataclasses (papernotes.ssl.config):
profile over base over the dataclass defaults, then `config_from_dict` + `check_config`.
Every error names the spec file, the YAML line and the dotted field.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, field_validator

from papernotes.core.errors import PapernotesError
from papernotes.core.yaml_doc import line_of, load_yaml, to_plain, validation_error
from papernotes.notes.model.names import check_key
from papernotes.repro.spec.expected import Expected  # noqa: F401  (re-exported: model.Expected)
from papernotes.ssl.config import ConfigError, PretrainConfig, config_from_dict, plain_sections

# method, data, ..., out_dir; a method's section (built-in or the workspace's) is an extra key of
# a profile, checked by config_from_dict: listing the methods here would load them (and torch)
CONFIG_SECTIONS = plain_sections()


class _ProfileBase(BaseModel):
    # other keys: a method's section (`simclr:`, or one of the workspace's repro/methods/), checked
    # with the rest of the config by config_from_dict, which names an unknown one
    model_config = ConfigDict(frozen=True, extra="allow")
    description: str = ""
    gpus: int = Field(0, ge=0)  # launch default; 0: one process (CPU or one GPU)

    def overrides(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in CONFIG_SECTIONS if getattr(self, k) is not None}
        return {**out, **(self.model_extra or {})}


# A profile's config keys are the engine's own (config_sections): a mapping per section, a plain
# value for `method` and `out_dir`; the engine's config_from_dict then checks every value.
Profile = create_model(
    "Profile", __base__=_ProfileBase,
    **{k: ((str | None) if k in ("method", "out_dir") else (dict[str, Any] | None), None)
       for k in CONFIG_SECTIONS})


class Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str
    paper: str
    description: str = ""
    expected: list[Expected] = []
    base: dict[str, Any] = {}
    profiles: dict[str, Profile] = Field(min_length=1)
    default_profile: str

    @field_validator("paper")
    @classmethod
    def _paper(cls, v: str) -> str:
        # a note name as Obsidian has it (spaces, Unicode): it also names mlartifacts/<paper>/
        return check_key(v)


@dataclass(frozen=True)
class Resolved:
    """A spec profile made concrete: what one launch runs."""

    spec: Spec
    path: Path
    profile: str
    config: PretrainConfig
    gpus: int
    overrides: tuple[str, ...] = ()  # the --set assignments, as given


def deep_merge(base: dict, over: dict) -> dict:
    """`over` on top of `base` (nested mappings merged, everything else replaced); no mutation."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def load_spec(path: str | Path) -> tuple[Spec, Any]:
    """The validated spec and its round-trip document (for line numbers and edits)."""
    path = Path(path)
    doc = load_yaml(path)
    if not isinstance(doc, dict):
        raise PapernotesError("a spec must be a mapping", path=path, line=1)
    try:
        spec = Spec.model_validate(to_plain(doc))
    except ValidationError as exc:
        raise validation_error(exc, path, doc) from None
    if spec.default_profile not in spec.profiles:
        raise PapernotesError(f"no profile named {spec.default_profile!r}", path=path,
                              line=line_of(doc, ["default_profile"]), field="default_profile")
    return spec, doc


def _field_parts(field: str) -> list:
    """`aug.blur_prob[1]` -> ["aug", "blur_prob", 1]: the keys (and list index) in the YAML."""
    parts: list = []
    for part in field.split("."):
        name, *indices = part.replace("]", "").split("[")
        parts.append(name)
        parts += [int(i) for i in indices if i.isdigit()]
    return parts


def _config_line(doc: Any, profile: str, field: str) -> tuple[int | None, str]:
    """Where an engine error's dotted field lives: the profile's key if it sets (more of) the
    path, else base's; a value from the dataclass defaults points at the deepest section that
    exists, the profile's first (the profile is what is being run)."""
    parts = _field_parts(field)
    depth_profile = _depth(doc, ["profiles", profile, *parts])
    depth_base = _depth(doc, ["base", *parts])
    if depth_profile >= depth_base and depth_profile > 0:
        return line_of(doc, ["profiles", profile, *parts]), f"profiles.{profile}.{field}"
    if depth_base > 0:
        return line_of(doc, ["base", *parts]), f"base.{field}"
    return line_of(doc, ["profiles", profile]), f"profiles.{profile}.{field}"


def _depth(doc: Any, loc: list) -> int:
    """How many parts of a config path, after the fixed prefix (["base"] or ["profiles", name]),
    exist in `doc`."""
    fixed = 2 if loc and loc[0] == "profiles" else 1
    node, depth = doc, 0
    for i, key in enumerate(loc):
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            node = node[key]
        else:
            break
        if i >= fixed:
            depth += 1
    return depth


def resolve(spec: Spec, doc: Any, path: Path, profile: str | None = None,
            overrides: dict | None = None, override_text: tuple[str, ...] = ()) -> Resolved:
    """Profile over base over defaults, plus `--set` overrides; validated by the engine's rules."""
    name = profile or spec.default_profile
    if name not in spec.profiles:
        raise PapernotesError(f"no profile named {name!r} in spec {spec.name!r}", path=path,
                              field="--profile", hint=f"profiles: {', '.join(spec.profiles)}")
    merged = deep_merge(spec.base, spec.profiles[name].overrides())
    merged = deep_merge(merged, overrides or {})
    try:
        config = config_from_dict(merged)
    except ConfigError as exc:
        message = exc.message
        if overrides and _has_path(overrides, exc.field.split(".")):
            raise PapernotesError(message, field=exc.field, path=None,
                                  hint="from --set") from None
        line, where = _config_line(doc, name, exc.field)
        raise PapernotesError(message, path=path, line=line, field=where) from None
    return Resolved(spec=spec, path=Path(path), profile=name, config=config,
                    gpus=spec.profiles[name].gpus, overrides=tuple(override_text))


def _has_path(data: dict, parts: list[str]) -> bool:
    node: Any = data
    for key in parts:
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return True
