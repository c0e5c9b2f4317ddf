"""Whether the sub-items' guides say the same thing in an asked field, in different words.

"护士执业证书有效期几年": the first registration's guide says "护士执业注册有效期为5年", the renewal's
"延续执业注册有效期为5年" — different texts, one answer. Asking the citizen which case they are in, or showing both
side by side, adds nothing. For the fields whose substance is a figure (validity, time limit, fee) the figures with
their units are what is said; for the legal basis, the documents cited (《…》). Texts agree when each states at least
one such term and all state the same set. Other fields (lists, places, processes) are compared as texts by the caller.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from knowledge.schema import Aspect

_NUMBER = r"([0-9]+(?:\.[0-9]+)?|[零一二三四五六七八九十两百千]+)"
_FIGURE = re.compile(_NUMBER + r"\s*(个)?(工作日|自然日|日|天|周|年|个月|月|小时|元)")
_TITLE = re.compile(r"《([^》]+)》")
FIGURE_ASPECTS = frozenset({Aspect.validity, Aspect.time_limit, Aspect.fee})


def terms(text: str, aspect: Aspect) -> frozenset[str]:
    """What a field's text says, for comparison: its figures with units (validity, time limit, fee) or the documents
    it cites (basis); empty for other fields."""
    if aspect in FIGURE_ASPECTS:
        return frozenset(f"{m.group(1)}{m.group(3)}" for m in _FIGURE.finditer(text))
    if aspect is Aspect.basis:
        return frozenset(m.group(1).strip() for m in _TITLE.finditer(text))
    return frozenset()


def say_the_same(texts: Iterable[str | None], aspect: Aspect) -> bool:
    """Whether the texts of one field that state something (two at least; a guide silent on the field is left out)
    say the same thing: each has terms (`terms`) and all the same set."""
    stated = [t for t in texts if t and t.strip()]
    found = {terms(t, aspect) for t in stated}
    return len(stated) >= 2 and len(found) == 1 and all(found)
