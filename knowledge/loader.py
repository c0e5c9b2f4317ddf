"""Load the curated knowledge base (service items and policy documents) from YAML files.

Layout under the data root (default: the package's `data/`, overridable by `KNOWLEDGE_DATA_DIR`):

    items/<code>.yaml       one ServiceItem per file
    policies/<id>.yaml      one PolicyDocument per file
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from knowledge.config import get_settings
from knowledge.schema import PolicyDocument, Referral, ServiceItem

logger = logging.getLogger(__name__)

ITEMS_DIR = "items"
POLICIES_DIR = "policies"
_PACKAGE_DATA = Path(__file__).resolve().parent / "data"

ModelT = TypeVar("ModelT", bound=BaseModel)


class KnowledgeDataError(ValueError):
    """A data file could not be read or does not match the schema; the message names the file."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.detail = message


def knowledge_root() -> Path:
    """The data root: `KNOWLEDGE_DATA_DIR` when set, else the `data/` folder shipped in the package."""
    configured = get_settings().data_dir
    return Path(configured) if configured is not None else _PACKAGE_DATA


def _root(root: Path | None) -> Path:
    return Path(root) if root is not None else knowledge_root()


def data_files(root: Path | None = None) -> list[Path]:
    """Every YAML data file under the root (items and policies), sorted by relative path."""
    base = _root(root)
    files = [p for sub in (ITEMS_DIR, POLICIES_DIR) for p in (base / sub).glob("*.yaml") if p.is_file()]
    return sorted(files, key=lambda p: p.relative_to(base).as_posix())


def read_yaml(path: Path) -> Any:
    """Parse one YAML file with `yaml.safe_load`, turning parse errors into a `KnowledgeDataError`."""
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeDataError(path, f"cannot read YAML: {exc}") from exc


def format_validation_error(exc: ValidationError) -> str:
    """One line per schema error: `location: message`."""
    lines = []
    for err in exc.errors():
        loc = ".".join(str(part) for part in err["loc"]) or "(root)"
        lines.append(f"{loc}: {err['msg']}")
    return "; ".join(lines)


def parse_file(path: Path, model: type[ModelT]) -> ModelT:
    """Read and validate one data file as `model`; errors name the file and the failing fields."""
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise KnowledgeDataError(path, "expected a mapping at the top level")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise KnowledgeDataError(path, "schema error: " + format_validation_error(exc)) from exc


def _load_dir(directory: Path, model: type[ModelT]) -> list[ModelT]:
    loaded = [parse_file(path, model) for path in sorted(directory.glob("*.yaml"))]
    logger.debug("loaded %d %s files from %s", len(loaded), model.__name__, directory)
    return loaded


def load_items(root: Path | None = None) -> list[ServiceItem]:
    """All service items, sorted by file name (= item code). Raises `KnowledgeDataError` on bad data."""
    items = []
    for path in sorted((_root(root) / ITEMS_DIR).glob("*.yaml")):
        item = parse_file(path, ServiceItem)
        if path.stem != item.code:
            raise KnowledgeDataError(path, f"file name must be the item code: {item.code}.yaml")
        items.append(item)
    logger.debug("loaded %d service items", len(items))
    return items


def load_policies(root: Path | None = None) -> list[PolicyDocument]:
    """All policy documents, sorted by file name. Raises `KnowledgeDataError` on bad data."""
    return _load_dir(_root(root) / POLICIES_DIR, PolicyDocument)


def content_hash(root: Path | None = None) -> str:
    """sha256 over the sorted data files (relative path and bytes): changes whenever the data does."""
    base = _root(root)
    digest = hashlib.sha256()
    for path in data_files(base):
        digest.update(path.relative_to(base).as_posix().encode("utf-8"))
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


REFERRALS_FILE = "referrals.yaml"


def load_referrals(root: Path | None = None) -> list[Referral]:
    """Other departments' services (data/referrals.yaml); an empty list when the file is absent."""
    path = _root(root) / REFERRALS_FILE
    if not path.is_file():
        return []
    raw = read_yaml(path) or []
    try:
        return [Referral.model_validate(entry) for entry in raw]
    except ValidationError as exc:
        raise KnowledgeDataError(path, str(exc)) from exc
