"""`papernotes repro` and `papernotes demo`: one launch from spec to note, with progress, curves,
run folders and resume."""
