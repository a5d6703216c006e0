"""The bottom layer, shared by every other part: the one error type and notices, atomic writes,
the one file lock, the note-write path, three-way merge, round-trip YAML, the shipped files and
the workspace. Imports nothing else of papernotes."""
