"""Load and validate catalogs: the data files shipped inside the package, team catalog files
in a repository, and catalogs that installed extensions provide.

:func:`load_catalog` is the one entry point for the ``catalog:`` setting: a built-in name, the
name of a catalog an extension provides, or a path to a team catalog YAML file (see
:mod:`pytest_mlchecklist.catalog.team`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache, partial
from importlib import resources
from pathlib import Path

import yaml
from pydantic import ValidationError

from pytest_mlchecklist.catalog.models import Catalog
from pytest_mlchecklist.catalog.team import parse_team_catalog
from pytest_mlchecklist.errors import CatalogError, did_you_mean

BUILTIN_CATALOGS = ("production-ml-51", "safety-nets")


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


def is_catalog_path(ref: str) -> bool:
    """Whether a ``catalog:`` value is a file path (``ml/acme.yaml``) rather than a catalog name."""
    return ref.lower().endswith((".yaml", ".yml")) or "/" in ref or "\\" in ref


def catalog_bases(extension_catalogs: Mapping[str, Catalog]) -> dict[str, Catalog | Callable[[], Catalog]]:
    """The catalogs a team file may name in ``extends``: built-in ones (loaded on demand) and
    those of installed extensions."""
    bases: dict[str, Catalog | Callable[[], Catalog]] = {
        name: partial(load_builtin_catalog, name) for name in BUILTIN_CATALOGS
    }
    bases.update(extension_catalogs)
    return bases


def load_catalog_file(path: Path, *, display: str, extension_catalogs: Mapping[str, Catalog] | None = None) -> Catalog:
    """Load a team catalog file; ``display`` is how messages name it."""
    if not path.is_file():
        raise CatalogError(f"the catalog file {display} does not exist ({path}); fix the path")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CatalogError(f"invalid catalog in {display}: the file is not UTF-8 text; save it as UTF-8") from None
    except OSError as exc:
        raise CatalogError(f"the catalog file {display} cannot be read ({exc.strerror}); check its permissions") from None
    return parse_team_catalog(text, source=display, bases=catalog_bases(extension_catalogs or {}))


def load_catalog(
    ref: str,
    *,
    root: Path,
    extension_catalogs: Mapping[str, Catalog] | None = None,
    base_dir: Path | None = None,
    requested_by: str | None = None,
) -> Catalog:
    """The catalog a ``catalog:`` value names.

    ``ref`` is a built-in name, the name of a catalog from an installed extension, or a path to
    a team catalog file, relative to ``base_dir`` (the configuration file's folder; ``root``
    when not given). ``requested_by`` names where the value was set, for messages.
    """
    extensions = dict(extension_catalogs or {})
    if is_catalog_path(ref):
        path = Path(ref)
        if not path.is_absolute():
            path = (base_dir or root) / path
        display = _display(path, root)
        if not path.is_file():
            where = f" (set by 'catalog' in {requested_by})" if requested_by else ""
            raise CatalogError(
                f"the catalog file {display} does not exist{where}; 'catalog' takes a path to a team catalog "
                f"YAML file relative to the configuration file's folder, or a catalog name: {', '.join(_names(extensions))}"
            )
        return load_catalog_file(path, display=display, extension_catalogs=extensions)
    if ref in BUILTIN_CATALOGS:
        return load_builtin_catalog(ref)
    if ref in extensions:
        return extensions[ref]
    names = _names(extensions)
    where = f" (set by 'catalog' in {requested_by})" if requested_by else ""
    raise CatalogError(
        f"unknown catalog '{ref}'{did_you_mean(ref, names)}{where}; available: {', '.join(names)}, "
        "or a path to a team catalog YAML file such as ml/team-catalog.yaml"
    )


def _names(extensions: Mapping[str, Catalog]) -> list[str]:
    return [*BUILTIN_CATALOGS, *sorted(name for name in extensions if name not in BUILTIN_CATALOGS)]


def _display(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
