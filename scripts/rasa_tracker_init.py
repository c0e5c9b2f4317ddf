"""Create Rasa's SQL tracker-store schema once, before several Rasa servers start together.

Rasa creates its ``events`` table at start-up; two servers starting at the same moment on a fresh
PostgreSQL database race on it. Run this first (in .venv-rasa), with the same variables as
``endpoints.yml`` (``RASA_TRACKER_DIALECT``, ``RASA_TRACKER_HOST``, ``RASA_TRACKER_DB``):

    .venv-rasa/bin/python scripts/rasa_tracker_init.py
"""

from __future__ import annotations

import logging
import os
import sys

logger = logging.getLogger(__name__)


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain

    dialect = os.environ.get("RASA_TRACKER_DIALECT", "sqlite")
    store = SQLTrackerStore(
        domain=Domain.empty(),
        dialect=dialect,
        host=os.environ.get("RASA_TRACKER_HOST") or None,
        db=os.environ.get("RASA_TRACKER_DB", "rasa.db"),
    )
    store.engine.dispose()
    logger.info("Rasa tracker store ready (%s)", dialect)
    return 0


if __name__ == "__main__":
    sys.exit(main())
