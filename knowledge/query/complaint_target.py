"""Whom a complaint is about: another department (its office, its staff, its service) or a health matter.

A complaint about another department — the 公积金中心 that will not pay out, the 城管 who took a stall, the 医保局
that sent a family back and forth — is that department's matter: the assistant names the department (or 12345)
instead of opening the 办不成事 intake. A complaint about a hospital, a clinic, a vaccination, a health permit or
the health commission's own staff stays a complaint, whatever other department the story also names.

The target, in a (normalised) message that complains:
1. what follows a verb of complaining closely, in its clause (`OBJECT_WINDOW` characters: "我要投诉这家店",
   "投诉一下医保局", "举报XX医院"): an office or staff word of another department (`referrals.yaml` `agencies`),
   one of its services (`keywords`: "我要投诉医保"), or a health institution (lexicon `health_targets`);
2. else the last office, staff or health word named before the last verb of complaining (or anywhere, when the
   message uses none): "…教育局说找学校，我要投诉" is about the school, "…应急局来查安全生产…罚得太重了，我想申诉"
   about the 应急局, "…打电话问中心一直占线…" about the health centre;
3. else, when it names no office, staff or health word at all, the last service of another department named before
   the verb ("…伤残抚恤金今年一直没发下来，问了几次都说在审核，我要投诉").
Only an office or service of another department as the target makes a `Referral`; a health word, or nothing
named, gives None (the complaint stands), and so does a health matter named anywhere (lexicon `health_matters`:
"这家理发店毛巾不消毒，我要投诉这家店" is a hygiene complaint) unless it stands inside another department's word
("宠物疫苗"). Whether the message names one of our items is the caller's check.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from knowledge.query.cues import spans
from knowledge.query.model import Referral
from knowledge.text_normalise import normalise

OBJECT_WINDOW = 4
"""A target standing at most this many characters after a verb of complaining is its object ("投诉一下医保局",
"举报这家店", "反映了医院")."""

_CLAUSE_BREAK = re.compile(r"[，,。.；;：:！!？?、\n]")
"""An object stands in its verb's clause ("市民另反映，幼儿园称…" reports what the kindergarten said)."""

HEALTH = ""
"""The `department` of a health word among the mentions."""


@dataclass(frozen=True)
class Mention:
    word: str
    department: str  # HEALTH for a health institution or matter
    start: int
    end: int
    office: bool  # an office or staff word (or a health word); False for a service keyword
    matter: bool = False  # a health matter (never a target: it keeps the message a complaint)


class ComplaintTargets:
    """The vocabulary of complaint targets: other departments' offices and services, and health words."""

    def __init__(
        self,
        agencies: Iterable[tuple[str, str]],
        services: Iterable[tuple[str, str]],
        health: Iterable[str],
        complaint_words: Iterable[str],
        health_matters: Iterable[str] = (),
    ) -> None:
        words = [(normalise(w), d, True, False) for w, d in agencies]
        words += [(normalise(w), d, False, False) for w, d in services]
        words += [(normalise(w), HEALTH, True, False) for w in health]
        words += [(normalise(w), HEALTH, False, True) for w in health_matters]
        self._words = sorted((w for w in words if w[0]), key=lambda w: len(w[0]), reverse=True)
        self._verbs = [v for v in (normalise(w) for w in complaint_words) if v]

    def mentions(self, norm: str) -> list[Mention]:
        """Every target word in the text, longest first where two overlap, in text order."""
        taken: list[Mention] = []
        for word, department, office, matter in self._words:
            for start, end in spans(norm, word):
                if not any(start < m.end and m.start < end for m in taken):
                    taken.append(Mention(word, department, start, end, office, matter))
        return sorted(taken, key=lambda m: m.start)

    def verbs(self, norm: str) -> list[tuple[int, int]]:
        return sorted(span for verb in self._verbs for span in spans(norm, verb))

    def target(self, norm: str) -> Mention | None:
        """The complaint's target (see the module's docstring), or None when it names none."""
        mentions = [m for m in self.mentions(norm) if not m.matter]
        if not mentions:
            return None
        verbs = self.verbs(norm)
        found = [m for m in (_object_of(norm, end, mentions) for _, end in verbs) if m is not None]
        if found:
            return found[-1]
        before = verbs[-1][0] if verbs else len(norm)
        offices = [m for m in mentions if m.office and m.start < before]
        if offices:
            return offices[-1]
        services = [m for m in mentions if m.start < before]  # no office and no health word named: a service
        return services[-1] if services else None

    def referral(self, norm: str) -> Referral | None:
        """Another department as the complaint's target, or None (a health target, or none named)."""
        if any(m.matter for m in self.mentions(norm)):
            return None
        target = self.target(norm)
        if target is None or target.department == HEALTH:
            return None
        return Referral(target.word, target.department)


def _object_of(norm: str, verb_end: int, mentions: Sequence[Mention]) -> Mention | None:
    for m in mentions:
        if verb_end <= m.start <= verb_end + OBJECT_WINDOW and not _CLAUSE_BREAK.search(norm[verb_end : m.start]):
            return m
    return None
