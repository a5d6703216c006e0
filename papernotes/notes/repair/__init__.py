"""Text repair: UTF-8 misread through a single-byte code page (mojibake) detected and restored,
and files that are not UTF-8 at all decoded.

Imports nothing else of papernotes.notes. The language model (wordfreq), ftfy and
charset-normalizer are imported lazily, only when a repair needs them.
"""
