"""`make ask Q='…'`: ask the knowledge engine one question and print its answer as JSON."""

from __future__ import annotations

import argparse
import json
import sys

from knowledge.answer import Context
from knowledge.schema import Aspect


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("question")
    parser.add_argument("--item", help="context: the item code the conversation is about")
    parser.add_argument("--aspect", choices=[a.value for a in Aspect], help="context: the aspect asked before")
    parser.add_argument("--sub-item", help="context: the sub-item (首次/延续/变更/注销/补发/换发)")
    args = parser.parse_args(argv)

    from knowledge.service import get_engine

    context = Context(item_code=args.item, aspect=Aspect(args.aspect) if args.aspect else None, sub_item=args.sub_item)
    answer = get_engine().ask(args.question, context).model_dump(mode="json")
    answer["answer"] = answer.pop("text")  # the rendered reply, verbatim from the guide
    print(json.dumps(answer, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
