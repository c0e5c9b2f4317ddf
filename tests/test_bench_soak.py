"""The soak's texts: fresh bank questions by default (every turn pays the gate's embedding), or the repeated
five-message conversation."""

from __future__ import annotations

import pytest

from bench.soak import slope_per_hour, soak_texts
from bench.versus import ASSISTANT_MESSAGES


def test_fresh_texts_never_repeat_within_a_soak_sized_run() -> None:
    texts = soak_texts("fresh")
    sent = [texts(i) for i in range(500)]
    assert len(set(sent)) == len(sent)
    assert not set(sent) & set(ASSISTANT_MESSAGES)


def test_repeated_texts_cycle_through_the_conversation() -> None:
    texts = soak_texts("repeated")
    n = len(ASSISTANT_MESSAGES)
    assert [texts(i) for i in range(2 * n)] == ASSISTANT_MESSAGES * 2


def test_an_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="SOAK_TEXTS"):
        soak_texts("stale")


def test_memory_slope_is_megabytes_per_hour() -> None:
    assert slope_per_hour([(0.0, 100.0), (1800.0, 101.0), (3600.0, 102.0)]) == 2.0
    assert slope_per_hour([(0.0, 100.0), (60.0, 100.0)]) is None  # too few points to tell
