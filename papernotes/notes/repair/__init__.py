"""Text repair: damaged (mojibake) Chinese text detected and restored.

Imports nothing else of papernotes.notes. The language model (wordfreq, jieba) is imported lazily,
only when a repair needs it.
"""
