"""How every vocabulary section's word lists are validated (the lexicon's sections and the data files beside it:
detail words, situations, item clues, not-held matters)."""

from __future__ import annotations

from knowledge.text_normalise import normalise


def clean_cues(cues: list[str]) -> list[str]:
    """A cue list as every vocabulary section validates it: stripped, non-empty, normalised, no duplicates."""
    cleaned = [c.strip() for c in cues]
    if any(not c for c in cleaned):
        raise ValueError("empty cue")
    if any(c != normalise(c) for c in cleaned):
        bad = [c for c in cleaned if c != normalise(c)]
        raise ValueError(f"cues must be written normalised (simplified, lower case, half-width): {bad}")
    if len(set(cleaned)) != len(cleaned):
        dupes = sorted({c for c in cleaned if cleaned.count(c) > 1})
        raise ValueError(f"duplicate cues in one group: {dupes}")
    return cleaned
