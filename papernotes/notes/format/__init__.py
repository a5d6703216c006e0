"""The note format: Markdown scan, frontmatter, managed regions, template sections, parse and render."""
