"""Optimisers (LARS, SGD, AdamW) and the learning-rate schedule."""
