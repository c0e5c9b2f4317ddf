"""Stage 1, analyse: what a question asks (normalised text, language, aspects, sub-item, region, cues) → `Query`."""
