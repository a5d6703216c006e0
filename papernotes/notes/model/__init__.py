"""The note model: the pydantic `Note` schema, the idea log, Mermaid diagrams, tags."""
