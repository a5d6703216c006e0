"""Reproductions: specs (YAML) -> engine launch -> MLflow run -> results in the note."""
