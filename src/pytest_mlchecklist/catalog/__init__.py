"""Catalogs: the item data files and the models that validate them."""

from pytest_mlchecklist.catalog.loader import BUILTIN_CATALOGS, load_builtin_catalog, load_catalog, parse_catalog
from pytest_mlchecklist.catalog.models import Catalog, CatalogItem, Profile, Section

__all__ = [
    "BUILTIN_CATALOGS",
    "Catalog",
    "CatalogItem",
    "Profile",
    "Section",
    "load_builtin_catalog",
    "load_catalog",
    "parse_catalog",
]
