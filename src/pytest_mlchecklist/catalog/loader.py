"""Load and validate catalog data files shipped inside the package."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml
from pydantic import ValidationError

from pytest_mlchecklist.catalog.models import Catalog
from pytest_mlchecklist.errors import CatalogError, did_you_mean

BUILTIN_CATALOGS = ("production-ml-51",)


def parse_catalog(text: str, *, source: str) -> Catalog:
    """Parse a catalog from YAML text; any problem is a :class:`CatalogError` naming ``source``."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CatalogError(f"catalog {source} is not valid YAML: {exc}") from None
    try:
        return Catalog.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or '(top level)'}: {error['msg']}"
            for error in exc.errors()
        )
        raise CatalogError(f"catalog {source} does not validate: {problems}") from None


@lru_cache(maxsize=None)
def load_builtin_catalog(name: str) -> Catalog:
    """Load one of the catalogs shipped with the plugin, by name."""
    if name not in BUILTIN_CATALOGS:
        raise CatalogError(
            f"unknown catalog '{name}'{did_you_mean(name, BUILTIN_CATALOGS)} "
            f"(available: {', '.join(BUILTIN_CATALOGS)})"
        )
    resource = resources.files("pytest_mlchecklist.catalog").joinpath("data", f"{name}.yaml")
    return parse_catalog(resource.read_text(encoding="utf-8"), source=f"built-in catalog {name}")
