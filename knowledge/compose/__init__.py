"""Stage 4, compose: a `Decision` → the `Answer` (verbatim text from the guides, choices as data)."""
