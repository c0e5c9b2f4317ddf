"""Which department a message asks about: "…这种事应该找谁处理", "应向哪个机关报告", "这个问题归不归你们管",
"是不是应该直接找警察", "Which department oversees rental disputes?".

The lexicon's `department_cues` are fixed phrases (找哪个部门, 归谁管, 哪里投诉 …) chosen so that a follow-up asking
where to apply for our item ("这个去哪个部门办") is not one. Citizens ask for a department in many more words; this
module reads the question's grammar instead — a question word before an office noun (哪个机关, 什么部门), 谁 with a
verb of handling (找谁处理, 谁来管, 由谁负责), whether a matter is someone's (归不归…管, 是不是归你们), whether to go
to another department's office (是不是应该直接找警察), an English "which department / who oversees" — and then what
the asking clause is about (`subject`):

- the offices, staff and services (`referrals.yaml` `agencies`, `keywords`) and the health institutions, staff and
  matters (lexicon `health_targets`, `health_matters`) named in the clause that asks, or, when it names none, in the
  clause right before it ("学校不承认，这事去哪个部门" asks about the school);
- the commission's own names (lexicon `commission_names`: 卫健委, 卫生部门, health commission …) and 你们 are the
  department asked about, not the subject ("化妆品问题归不归你们卫生部门管" is about cosmetics);
- another department's office or service as the only kind of word there makes the subject that department; a health
  word there (医院, 护士, 疫苗 …) makes none: "医院让我去医保窗口来回跑，去哪投诉" is about the hospital.

Only a subject that is another department's turns a question away (the engine's rule `department_subject`, the
gate's confident `other_department`); a broad cue with no such subject changes nothing, so a follow-up about our
item ("办这个要去哪个部门") is untouched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from knowledge.query.complaint_target import HEALTH, ComplaintTargets, Mention
from knowledge.query.model import Referral
from knowledge.text_normalise import normalise

_CLAUSE_BREAK = re.compile(r"[，,。；;：:！!？?、\n]|\.(?:\s|$)")

_OFFICE = r"(?:政府)?(?:部门|单位|机关|局|机构)"
_WHICH = rf"(?:哪个|哪一个|哪些|哪家|哪级|什么){_OFFICE}"
# "投诉去那个部门", "去那个部门查": 那 typed for 哪 — only right after a verb of going and at the end of the clause.
_THAT_FOR_WHICH = r"(?:去|找|向|归|到)那个(?:部门|单位|机关)[\u4e00-\u9fff]{0,2}$"
_WHO = r"(?:找|向|问|归|由|让)谁|谁(?:来)?(?:管|负责|监管|处理|受理|解决|审批|发证)"
_WHOSE = r"归不归|是不是归|是否归|归(?:你们|卫健|卫生)[\u4e00-\u9fff]{0,6}管|管不管|是不是你们(?:管|负责)"
_ENGLISH = (
    r"(?<![a-z])(?:which (?:government )?(?:department|office|agency|authority|bureau)"
    r"|who (?:oversees|handles|regulates|supervises|licenses|issues|manages|is responsible|is in charge|deals with)"
    r"|is there a (?:government )?(?:office|department|agency|authority))(?![a-z])"
)
_GRAMMAR = re.compile("|".join((_WHICH, _WHO, _WHOSE, _ENGLISH)))
_THAT = re.compile(_THAT_FOR_WHICH)
_WHETHER = r"(?:是不是|是否|要不要|该不该|应不应该|需不需要|还是)(?:应该|应当|要|得)?(?:直接)?(?:去|到)?找"
"""Whether to go to another department's office: "是不是应该直接找警察", "要不要去找派出所" (the office must follow and
end the clause)."""


class DepartmentQuestions:
    """Finds a question for a department and what it asks about (see the module's docstring)."""

    def __init__(
        self,
        cues: Iterable[str],
        targets: ComplaintTargets,
        agencies: Iterable[str],
        commission_names: Iterable[str] = (),
    ) -> None:
        self._cues = sorted({c for c in (normalise(w) for w in cues) if c}, key=len, reverse=True)
        self.targets = targets
        names = sorted({a for a in (normalise(w) for w in agencies) if a}, key=len, reverse=True)
        alternatives = "|".join(re.escape(a) for a in names) or "$^"
        self._whether = re.compile(rf"{_WHETHER}({alternatives})(?:吗|呢|吧|啊)?$")
        self._commission = {c for c in (normalise(w) for w in commission_names) if c} | {"你们"}

    def cue(self, norm: str) -> tuple[int, int] | None:
        """Where the message asks for a department (the last such place), or None."""
        found: list[tuple[int, int]] = []
        for cue in self._cues:
            start = norm.find(cue)
            while start >= 0:
                found.append((start, start + len(cue)))
                start = norm.find(cue, start + 1)
        found += [m.span() for m in _GRAMMAR.finditer(norm)]
        for clause_start, clause in _clauses(norm):
            for pattern in (_THAT, self._whether):
                match = pattern.search(clause)
                if match:
                    found.append((clause_start + match.start(), clause_start + match.end()))
        return max(found) if found else None

    def subject(self, norm: str) -> Referral | None:
        """Another department whose office or service the asking clause (or the clause before it) names, when it
        names no health word; else None."""
        span = self.cue(norm)
        if span is None:
            return None
        clauses = _clauses(norm)
        at = next((n for n, (start, text) in enumerate(clauses) if start <= span[0] < start + len(text)), None)
        if at is None:
            return None
        mentions = [m for m in self.targets.mentions(norm) if m.word not in self._commission]
        for n in (at, at - 1):
            if n < 0:
                break
            start, text = clauses[n]
            inside = [m for m in mentions if start <= m.start and m.end <= start + len(text)]
            if not inside:
                continue
            if any(m.department == HEALTH for m in inside):
                return None
            chosen = _chosen(inside, span[0])
            return Referral(chosen.word, chosen.department)
        return None


def _chosen(mentions: list[Mention], cue_start: int) -> Mention:
    """The last word named before the cue (Chinese names its subject first), else the first after it (English:
    "who oversees school policies")."""
    before = [m for m in mentions if m.start < cue_start]
    return before[-1] if before else mentions[0]


def _clauses(norm: str) -> list[tuple[int, str]]:
    """The clauses of a normalised text with where each starts (empty ones dropped)."""
    out: list[tuple[int, str]] = []
    start = 0
    for match in _CLAUSE_BREAK.finditer(norm):
        if match.start() > start:
            out.append((start, norm[start : match.start()]))
        start = match.end()
    if start < len(norm):
        out.append((start, norm[start:]))
    return out
