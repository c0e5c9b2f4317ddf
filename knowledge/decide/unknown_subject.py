"""Rule `unknown_document`: the question is about a certificate our knowledge base never mentions.

A question naming no item of ours verbatim and no other department's service, whose certificate ("X证", "X证书") is
qualified by words that no item's name, alias or guide and no policy text holds ("献血证丢了怎么补", "小孩预防接种证丢了
补办呢"), asks about a paper none of our guides covers: the honest no-answer with the human
channel, not the nearest guide. The qualifier is the two characters before 证 and must stand in what the question
says beyond cues, question words and filler (`Query.residue`: "给个啥证" asks what paper our item gives), and share
no character, in its place, with a qualifier our texts use before 证: "卫生许课证", "为生可证" are typos of 许可证."""

from __future__ import annotations

import logging
import re

from knowledge.decide.model import Decision
from knowledge.decide.situation import Facts, Situation

logger = logging.getLogger(__name__)

_QUALIFIED_DOCUMENT = re.compile(r"([\u4e00-\u9fff]{2})(?=证(?!明))")
"""Two characters before 证 (证, 证书, not 证明: "开证明", "离职证明" name a generic paper)."""


def unknown_qualifiers(s: Situation, f: Facts) -> list[str]:
    """The qualifiers of the question's certificates that nothing in the knowledge base mentions."""
    q = s.query
    found = [m.group(1) for m in _QUALIFIED_DOCUMENT.finditer(q.norm)]
    known = f.certificate_qualifiers
    verbs = f.selector.cues.lexicon.issuing_verbs
    return [
        x
        for x in found
        if x in q.residue
        and x[-1] not in verbs
        and not f.mentioned_anywhere(x)
        and not any(k[0] == x[0] or k[1] == x[1] for k in known if len(k) == 2)
    ]


def unknown_document(s: Situation, f: Facts) -> Decision | None:
    q = s.query
    if s.scores.exact or q.referral is not None or q.policy_names:
        return None
    unknown = unknown_qualifiers(s, f)
    if not unknown:
        return None
    logger.debug("certificate qualifiers %s are nowhere in the knowledge base", unknown)
    return Decision(kind="no_answer", rule="unknown_document")
