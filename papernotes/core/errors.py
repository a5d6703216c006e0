"""The one error type users see: a single line naming file, line and field.

Every layer raises `PapernotesError` for bad input; the CLI prints `str(err)` and exits
non-zero without a traceback. Anything else escaping is a bug.
"""

from __future__ import annotations

from pathlib import Path


class PapernotesError(Exception):
    """A user-facing error, rendered as `path:line: field: message (hint)`."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.field = field
        self.hint = hint

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = str(self.path)
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        elif self.line is not None:
            where = f"line {self.line}: "
        what = f"{self.field}: " if self.field else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}{what}{self.message}{hint}".replace("\n", " ")

    def at(self, *, path: str | Path | None = None, line_offset: int = 0) -> "PapernotesError":
        """The same error located in a file, its line shifted by `line_offset`."""
        line = None if self.line is None else self.line + line_offset
        return PapernotesError(
            self.message,
            path=path if path is not None else self.path,
            line=line,
            field=self.field,
            hint=self.hint,
        )


class NoteProblems(PapernotesError):
    """Every problem found in one note, each a located `PapernotesError` in `problems`.

    `papernotes validate` prints them all, one per line; a command that just reads the note
    shows the first as its one line, and says how many more there are.
    """

    def __init__(self, problems: list[PapernotesError]) -> None:
        first = problems[0]
        super().__init__(first.message, path=first.path, line=first.line, field=first.field,
                         hint=first.hint)
        self.problems = list(problems)

    def __str__(self) -> str:
        more = len(self.problems) - 1
        tail = f" (and {more} more: `papernotes validate` lists them)" if more else ""
        return super().__str__() + tail

    def __reduce__(self):  # keeps the list through worker processes
        return (NoteProblems, (self.problems,))

    def at(self, *, path: str | Path | None = None, line_offset: int = 0) -> "NoteProblems":
        return NoteProblems([p.at(path=path, line_offset=line_offset) for p in self.problems])


class FileProblems(PapernotesError):
    """One problem in each of several files of a command that refuses them all (an import of a
    folder): the CLI prints every problem on its own line, then `message` as the last line.
    `str()` is the first problem and the count, for callers that print one line."""

    def __init__(self, problems: list[PapernotesError], message: str) -> None:
        super().__init__(message)
        self.problems = list(problems)

    def __str__(self) -> str:
        more = len(self.problems) - 1
        return str(self.problems[0]) + (f" (and {more} more file(s))" if more else "")

    def __reduce__(self):
        return (FileProblems, (self.problems, self.message))


def problems_of(exc: PapernotesError) -> list[PapernotesError]:
    """The separate problems an error stands for (itself, unless it is a `NoteProblems`)."""
    return list(exc.problems) if isinstance(exc, NoteProblems) else [exc]
