"""The user's code: Python files of a workspace (`repro/methods/*.py`) loaded by path, pinned by
their sha256, and their bugs reported as theirs.

A file is imported with `importlib.util.spec_from_file_location` under a private module name
(`papernotes_user.<stem>_<sha prefix>`), never through `sys.path`, so it can shadow no package
module and two workspaces' files of one name do not collide. What it registers
(`@register_method`, `@register_backbone`) is known by name like a built-in; the bytes that ran
are the ones hashed (`pins`), so a run records exactly the code it used.

Errors are the user's, one line naming their file and line: a syntax error, an exception while
the file is imported (an import error, a registration refused), a file that registers nothing,
and, through `blame`, an exception raised inside their code while training (`forward`, `views`,
a backbone). The full traceback travels on the error (`UserCodeError.traceback`) for the run's
artifacts. Stdlib only (the engine's ranks load the files before they build the method).
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
import traceback as tb
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from papernotes.core.errors import PapernotesError

PACKAGE = "papernotes_user"
# beside the engine's --config file: the user's error of a process that failed (its one line and
# traceback), for the launching process (torchrun, an `idea run` arm) to report and log
ERROR_FILE = "user_error.json"


class UserCodeError(PapernotesError):
    """A bug in the user's file: `path:line: ExceptionType: message`; `traceback` holds the whole
    traceback (for the MLflow run's artifacts)."""

    def __init__(self, message: str, *, path: Path | str, line: int | None, traceback: str = "",
                 hint: str | None = None) -> None:
        super().__init__(message, path=path, line=line, hint=hint)
        self.traceback = traceback

    def __reduce__(self):  # through worker processes
        return (_rebuild, (self.message, str(self.path), self.line, self.traceback, self.hint))


def write_error(folder: Path, err: UserCodeError) -> None:
    """Record `err` in `folder` (the first process to fail wins: a rank, then its peers)."""
    import json
    import os

    path = folder / ERROR_FILE
    data = {"message": err.message, "path": str(err.path), "line": err.line, "hint": err.hint,
            "traceback": err.traceback, "rank": int(os.environ.get("RANK", "0"))}
    try:
        with open(path, "x", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2)
    except OSError:
        pass


def read_error(folder: Path) -> UserCodeError | None:
    import json

    try:
        data = json.loads((folder / ERROR_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    rank = data.get("rank", 0)
    hint = data.get("hint") or (f"on rank {rank}" if rank else None)
    return UserCodeError(data["message"], path=data["path"], line=data.get("line"),
                         traceback=data.get("traceback", ""), hint=hint)


def clear_error(folder: Path) -> None:
    (folder / ERROR_FILE).unlink(missing_ok=True)


def _rebuild(message, path, line, traceback, hint):
    return UserCodeError(message, path=path, line=line, traceback=traceback, hint=hint)


@dataclass(frozen=True)
class UserModule:
    path: Path  # absolute
    sha256: str
    module: str  # its name in sys.modules


_LOADED: dict[Path, UserModule] = {}


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_file(path: str | Path, expect_sha256: str | None = None) -> UserModule:
    """Import one user file (once per content: the same bytes loaded again are not re-run).
    With `expect_sha256` (a rank, an arm: the hash the launching process pinned) a missing or
    different file is an error, never a silent other version."""
    path = Path(path).resolve()
    if not path.is_file():
        raise UserCodeError("the file is missing on this machine" if expect_sha256 else "no such file",
                            path=path, line=None,
                            hint="the launching process loaded it: copy the workspace's repro/methods/ "
                                 "to every node" if expect_sha256 else None)
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if expect_sha256 is not None and digest != expect_sha256:
        raise UserCodeError(f"the file differs from the one the run was launched with "
                            f"(sha256 {digest[:12]}, expected {expect_sha256[:12]})", path=path, line=None,
                            hint="copy the same repro/methods/ to every node, or relaunch")
    known = _LOADED.get(path)
    if known is not None and known.sha256 == digest:
        return known
    name = f"{PACKAGE}.{_stem(path)}_{digest[:12]}"
    from papernotes.ssl.registry import load_builtins

    load_builtins()  # a name of the user's that a built-in has is refused, whatever they import
    before = _registered()
    try:
        code = compile(data, str(path), "exec")
    except SyntaxError as exc:
        raise UserCodeError(f"SyntaxError: {exc.msg}", path=path, line=exc.lineno,
                            traceback="".join(tb.format_exception_only(type(exc), exc))) from None
    _ensure_package()
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look a class's module up by name
    try:
        exec(code, module.__dict__)
    except PapernotesError as exc:  # a registration refused: name the user's line
        sys.modules.pop(name, None)
        raise _located(exc, path, exc.__traceback__) from None
    except Exception as exc:  # noqa: BLE001 (anything their file raises is theirs)
        sys.modules.pop(name, None)
        raise blame(exc, [path]) from None
    if _registered() == before:
        sys.modules.pop(name, None)
        raise UserCodeError("the file registers no method or backbone", path=path, line=1,
                            hint='decorate its class with @register_method("name") '
                                 '(from papernotes.ssl.methods import register_method)')
    found = UserModule(path, digest, name)
    _LOADED[path] = found
    return found


def load_folder(folder: Path) -> list[UserModule]:
    """Every `*.py` of `folder` (sorted; `_*.py` skipped: helpers the files import themselves)."""
    if not folder.is_dir():
        return []
    return [load_file(p) for p in sorted(folder.glob("*.py")) if not p.name.startswith("_")]


def loaded() -> dict[Path, UserModule]:
    return dict(_LOADED)


def module_of_file(path: str | Path) -> UserModule | None:
    """The loaded user module whose file is `path`, or None (a built-in)."""
    try:
        return _LOADED.get(Path(path).resolve())
    except OSError:
        return None


def pins(method: str, arch: str) -> list[UserModule]:
    """The user modules a run of `method` on `arch` executes (its class, the classes it inherits
    from, its backbone): what pins the run's code."""
    from papernotes.ssl.registry import code_files

    found = (module_of_file(f) for f in code_files(method, arch))
    return sorted({m.path: m for m in found if m is not None}.values(), key=lambda m: m.path.name)


def blame(exc: BaseException, files: list[Path] | None = None) -> UserCodeError | None:
    """`exc` as the user's error when its traceback passes through their code (the deepest
    frame in one of `files`, default: every loaded user file), else None (a papernotes bug)."""
    if isinstance(exc, UserCodeError):
        return exc
    mine = {str(p) for p in (files if files is not None else _LOADED)}
    where = _deepest(exc.__traceback__, mine)
    if where is None:
        return None
    path, line = where
    text = "".join(tb.format_exception(type(exc), exc, exc.__traceback__))
    message = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
    return UserCodeError(message, path=path, line=line, traceback=text)


def _located(exc: PapernotesError, path: Path, trace: TracebackType | None) -> UserCodeError:
    where = _deepest(trace, {str(path)})
    return UserCodeError(str(exc), path=path, line=where[1] if where else None,
                         traceback="".join(tb.format_exception(type(exc), exc, trace)))


def _deepest(trace: TracebackType | None, files: set[str]) -> tuple[str, int] | None:
    found = None
    for frame, line in tb.walk_tb(trace):
        if frame.f_code.co_filename in files:
            found = (frame.f_code.co_filename, line)
    return found


def _stem(path: Path) -> str:
    stem = "".join(c if c.isalnum() else "_" for c in path.stem)
    return stem if stem[:1].isalpha() else f"m_{stem}"


def _ensure_package() -> None:
    if PACKAGE not in sys.modules:
        import types

        pkg = types.ModuleType(PACKAGE)
        pkg.__path__ = []  # a namespace for the user's modules; nothing is found through it
        sys.modules[PACKAGE] = pkg


def _registered() -> tuple[int, int]:
    from papernotes.ssl import registry

    return registry.registrations()
