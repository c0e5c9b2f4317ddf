"""Knowledge edits need no Rasa retrain: the jieba dictionary is fixed vocabulary, not the item names."""

from __future__ import annotations

import re
from pathlib import Path

from scripts import rasa_userwords

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_dictionary_is_the_fixed_vocabulary() -> None:
    committed = (ROOT / "data" / "jieba" / "userdict.txt").read_text(encoding="utf-8")
    assert committed == rasa_userwords.render(rasa_userwords.collect_words())
    assert rasa_userwords.main(["--check"]) == 0


def test_no_alias_of_the_knowledge_base_is_baked_into_the_dictionary(catalog) -> None:  # type: ignore[no-untyped-def]
    words = {
        line.split()[0] for line in (ROOT / "data" / "jieba" / "userdict.txt").read_text(encoding="utf-8").splitlines()
    }
    aliases = {a for item in catalog.items for a in item.aliases}
    assert words == set(rasa_userwords.FIXED_WORDS)
    # a few generic words (出生证, 卫生许可证 …) are also aliases; the aliases as such are not there
    assert not words & {"出生证明", "护士证", "白衣天使上岗证"} and len(words & aliases) < len(aliases) // 10


def test_training_does_not_depend_on_the_knowledge_files() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    model_rule = re.search(r"^\$\(MODEL\):.*$", makefile, flags=re.M)
    assert model_rule is not None and "knowledge/data" not in model_rule.group(0)
