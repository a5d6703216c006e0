"""Commands suggested to the user, written so that they can be pasted into a shell as shown.

Every line that suggests a command goes through `command`: a word with a space, a quote, a
shell character or any non-ASCII letter (`SimCLR 笔记`, `对比学习`) is quoted (`shlex.quote`),
so `papernotes show 'SimCLR 笔记'` runs as it reads.
"""

from __future__ import annotations

import shlex

PROGRAM = "papernotes"


def quote(word: object) -> str:
    """One word of a command line, quoted for a POSIX shell where it needs it."""
    return shlex.quote(str(word))


def command(*words: object, program: str = PROGRAM) -> str:
    """`papernotes WORD...` with each word quoted where the shell needs it."""
    return " ".join([program, *(quote(w) for w in words)])
