"""A spec's header: its name, paper, the paper's numbers and its profiles' names, read without the
engine's config (which imports the method registry and with it torch: seconds).

`papernotes board` and `papernotes runs` need no more of a spec than this. The file is read
through libyaml (core/yaml_doc.fast_load); a file that does not read or check here is read by
`model.load_spec`, whose error names the file's line, so a broken spec reads the same as before.
What the header does not check is the profiles' config: `repro`, `idea run` and `--dry-run` do.

Reference: model.Spec, whose fields of the same names these are.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from papernotes.core.atomic import read_text_utf8
from papernotes.core.errors import PapernotesError
from papernotes.core.yaml_doc import fast_load
from papernotes.notes.model.names import check_key
from papernotes.repro.spec.expected import Expected


class SpecHeader(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    name: str
    paper: str
    description: str = ""
    expected: list[Expected] = []
    profiles: dict[str, Any] = Field(min_length=1)
    default_profile: str

    @field_validator("paper")
    @classmethod
    def _paper(cls, v: str) -> str:
        return check_key(v)

    @model_validator(mode="after")
    def _default(self) -> "SpecHeader":
        if self.default_profile not in self.profiles:
            raise ValueError(f"no profile named {self.default_profile!r}")
        return self


def read_header(path: str | Path) -> SpecHeader:
    """The spec's header; a spec that fails here is read in full, for its located error."""
    import yaml

    path = Path(path)
    try:
        data = fast_load(read_text_utf8(path))
        if isinstance(data, dict):
            return SpecHeader.model_validate(data)
    except (yaml.YAMLError, ValidationError, PapernotesError):
        pass
    from papernotes.repro.spec.model import load_spec

    spec, _ = load_spec(path)  # raises the error with its line, or reads what libyaml did not
    return SpecHeader.model_validate(spec.model_dump())
