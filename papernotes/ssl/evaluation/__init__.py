"""Evaluation: the online probe and kNN monitor during pretraining, linear evaluation and
fine-tuning after it."""
