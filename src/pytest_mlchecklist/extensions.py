"""Installed extensions: packages that add catalogs, detectors and result receivers.

An extension declares an entry point in the ``pytest_mlchecklist`` group of its package
metadata (``[project.entry-points.pytest_mlchecklist] acme = "acme_mlchecklist"``); the module
it names implements the hooks of :mod:`pytest_mlchecklist.hookspecs` marked with
:data:`pytest_mlchecklist.hookimpl`. :func:`load_extensions` finds and loads them with a pluggy
``PluginManager`` of the engine (not pytest's), so the same extensions serve
``pytest --ml-checklist`` and ``ml-checklist scan``.

Every failure of an extension (it cannot be imported, a hook is misspelt, a hook raises or
returns the wrong thing, two catalogs share a name) is a :class:`ExtensionError` that names the
extension and says what to do.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

from pytest_mlchecklist import hookspecs
from pytest_mlchecklist.catalog.loader import BUILTIN_CATALOGS, load_catalog_file
from pytest_mlchecklist.catalog.models import Catalog
from pytest_mlchecklist.detectors.base import Detector
from pytest_mlchecklist.errors import ChecklistError

if TYPE_CHECKING:
    from pytest_mlchecklist.engine import ChecklistResult


class ExtensionError(ChecklistError):
    """An installed extension that cannot be used; the message names it."""


class Extensions:
    """The loaded extensions and the calls the engine makes to them."""

    def __init__(self) -> None:
        self.manager = pluggy.PluginManager(hookspecs.PROJECT)
        self.manager.add_hookspecs(hookspecs)
        self._catalogs: dict[str, Catalog] | None = None
        self._detectors: dict[str, tuple[Detector, ...]] = {}

    @property
    def names(self) -> list[str]:
        """The names of the registered extensions (their entry-point names)."""
        return [name for name, _plugin in self.manager.list_name_plugin() if name is not None]

    def register(self, plugin: object, name: str) -> None:
        """Register an extension object or module by hand (tools and tests); checks its hooks."""
        if self.manager.has_plugin(name):
            return
        try:
            self.manager.register(plugin, name=name)
            self.manager.check_pending()
        except pluggy.PluginValidationError as exc:
            if self.manager.has_plugin(name):
                self.manager.unregister(name=name)
            raise ExtensionError(f"the extension '{name}' does not fit the hooks of pytest-mlchecklist: {exc}; "
                                 "see docs/extending.md for their names and arguments") from None
        self._catalogs = None
        self._detectors = {}

    def load_entry_points(self) -> None:
        """Load every entry point of the ``pytest_mlchecklist`` group, in name order."""
        found = sorted(metadata.entry_points(group=hookspecs.ENTRY_POINT_GROUP), key=lambda point: point.name)
        for entry_point in found:
            if self.manager.has_plugin(entry_point.name):
                continue  # the same distribution seen twice on sys.path
            try:
                plugin = entry_point.load()
            except Exception as exc:  # noqa: BLE001 - any import problem becomes a message
                raise ExtensionError(
                    f"the extension '{entry_point.name}' ({entry_point.value}) could not be loaded: "
                    f"{type(exc).__name__}: {exc}; fix it or uninstall the package that provides it"
                ) from None
            self.register(plugin, entry_point.name)

    # ------------------------------------------------------------ hook calls
    def _call(self, hook_name: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call one hook on each extension separately: ``[(extension name, its answer)]``."""
        hook = getattr(self.manager.hook, hook_name)
        answers: list[tuple[str, Any]] = []
        for implementation in reversed(hook.get_hookimpls()):  # registration order
            arguments = {name: kwargs[name] for name in implementation.argnames}
            try:
                answer = implementation.function(**arguments)
            except Exception as exc:  # noqa: BLE001 - reported with the extension's name
                raise ExtensionError(f"the extension '{implementation.plugin_name}' failed in {hook_name}: "
                                     f"{type(exc).__name__}: {exc}") from None
            answers.append((implementation.plugin_name, answer))
        return answers

    def catalogs(self) -> dict[str, Catalog]:
        """The catalogs the extensions add, by name (computed once)."""
        if self._catalogs is not None:
            return self._catalogs
        objects: dict[str, tuple[str, Catalog]] = {}
        files: list[tuple[str, Path]] = []
        for extension, answer in self._call("mlchecklist_catalogs"):
            for entry in _as_list(answer, extension, "mlchecklist_catalogs"):
                if isinstance(entry, Catalog):
                    self._add_catalog(objects, extension, entry)
                elif isinstance(entry, (str, Path)) and Path(entry).is_absolute():
                    files.append((extension, Path(entry)))
                else:
                    raise ExtensionError(
                        f"the extension '{extension}' returned {entry!r} from mlchecklist_catalogs; return Catalog "
                        "objects or absolute paths to catalog YAML files (e.g. Path(__file__).parent / 'catalog.yaml')"
                    )
        for extension, path in files:
            bases = {name: catalog for name, (_owner, catalog) in objects.items()}
            catalog = load_catalog_file(path, display=f"{path} (from the extension '{extension}')", extension_catalogs=bases)
            self._add_catalog(objects, extension, catalog)
        self._catalogs = {name: catalog for name, (_owner, catalog) in objects.items()}
        return self._catalogs

    @staticmethod
    def _add_catalog(objects: dict[str, tuple[str, Catalog]], extension: str, catalog: Catalog) -> None:
        if catalog.name in BUILTIN_CATALOGS:
            raise ExtensionError(f"the extension '{extension}' adds a catalog named '{catalog.name}' like a built-in "
                                 "catalog; give it a name of its own")
        if catalog.name in objects:
            raise ExtensionError(f"the extensions '{objects[catalog.name][0]}' and '{extension}' both add a catalog "
                                 f"named '{catalog.name}'; uninstall one of them")
        objects[catalog.name] = (extension, catalog)

    def detectors(self, catalog: Catalog) -> tuple[Detector, ...]:
        """The detectors the extensions add for ``catalog`` (asked once per catalog name)."""
        if catalog.name in self._detectors:
            return self._detectors[catalog.name]
        found: list[Detector] = []
        for extension, answer in self._call("mlchecklist_detectors", catalog=catalog):
            for entry in _as_list(answer, extension, "mlchecklist_detectors"):
                if not isinstance(entry, Detector):
                    raise ExtensionError(
                        f"the extension '{extension}' returned {type(entry).__name__} from mlchecklist_detectors; "
                        "return Detector objects made with @pytest_mlchecklist.detector(...)"
                    )
                found.append(entry)
        self._detectors[catalog.name] = tuple(found)
        return self._detectors[catalog.name]

    def deliver_result(self, result: ChecklistResult) -> list[str]:
        """Hand the result to every receiver; the problems, one line each (never raises)."""
        problems: list[str] = []
        for implementation in reversed(self.manager.hook.mlchecklist_result.get_hookimpls()):
            arguments = {"result": result} if "result" in implementation.argnames else {}
            try:
                implementation.function(**arguments)
            except Exception as exc:  # noqa: BLE001 - a failing receiver is reported, never fatal
                problems.append(f"the extension '{implementation.plugin_name}' failed to receive the result: "
                                f"{type(exc).__name__}: {exc}")
        return problems


def _as_list(answer: Any, extension: str, hook_name: str) -> list[Any]:
    if answer is None:
        return []
    if isinstance(answer, (Catalog, Detector, str, Path)):
        return [answer]
    if isinstance(answer, Iterable):
        return list(answer)
    raise ExtensionError(f"the extension '{extension}' returned {type(answer).__name__} from {hook_name}; "
                         "return a list")


def load_extensions() -> Extensions:
    """The extensions installed in this environment (entry points of the ``pytest_mlchecklist`` group)."""
    extensions = Extensions()
    extensions.load_entry_points()
    return extensions


def no_extensions() -> Extensions:
    """An empty set of extensions (for tools and tests that want the built-in behaviour only)."""
    return Extensions()
