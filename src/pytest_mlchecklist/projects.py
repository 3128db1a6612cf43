"""Monorepos: several ML projects in one repository, each with its own configuration.

The root configuration (``mlchecklist.yaml`` or ``[tool.ml-checklist]`` in ``pyproject.toml``)
lists the project folders under ``projects:``, as folders or globs::

    projects: ["services/*", "batch/scoring"]

Each listed folder holds its own configuration and is evaluated on its own: its own catalog,
profile, waivers, SLA and evidence pointers, with ``include``/``exclude`` and every path
relative to the project folder. The root configuration is only the list: any other key in it
is an error, so that nobody believes a root setting applies to the projects.

A project is named by its folder relative to the repository root (``services/ranker``).
Nothing here knows about pytest; see docs/monorepos.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pytest_mlchecklist.config import PYPROJECT_TABLE, LoadedSettings, ResolvedConfig, find_config_file, load_settings
from pytest_mlchecklist.errors import ChecklistError, ConfigError
from pytest_mlchecklist.repo import ALWAYS_SKIPPED_DIRS

_GLOB_CHARACTERS = ("*", "?", "[")


@dataclass(frozen=True)
class Project:
    """One project of a monorepo: its name, its folder and its resolved configuration."""

    name: str  # the folder relative to the repository root, POSIX style: "services/ranker"
    root: Path  # the absolute folder
    config: ResolvedConfig

    @property
    def config_file(self) -> Path:
        """The project's configuration file (the anchor of its checklist items under pytest)."""
        return self.root / (self.config.source or "mlchecklist.yaml")

    def contains(self, relative_path: str) -> bool:
        """Whether a path relative to the repository root lies in this project's folder."""
        return relative_path.startswith(self.name + "/")

    def relative(self, relative_path: str) -> str:
        """A path or node id relative to the repository root, made relative to the project folder."""
        return relative_path[len(self.name) + 1:] if self.contains(relative_path) else relative_path


def load_projects(
    root: Path,
    *,
    profile: str | None = None,
    today: dt.date | None = None,
    config_file: Path | None = None,
    strict: bool = False,
    catalog: str | None = None,
) -> list[Project]:
    """The projects of the monorepo at ``root``, sorted by name; an empty list when the root
    configuration has no ``projects:`` key (a single-project repository).

    ``profile``, ``catalog``, ``today`` and ``strict`` apply to every project, as the command
    line options they come from. Every problem raises a :class:`ChecklistError` that names the
    entry, the folder or the file.
    """
    from pytest_mlchecklist.engine import build_config

    root = root.resolve()
    loaded = load_settings(root, config_file)
    if "projects" not in loaded.settings.model_fields_set:
        return []
    source = loaded.source or "the root configuration"
    folders = find_project_folders(root, loaded)
    projects: list[Project] = []
    for name, folder in folders:
        try:
            config = build_config(folder, profile=profile, today=today or dt.date.today(), strict=strict,
                                  catalog=catalog)
        except ConfigError as exc:  # name the project's file from the repository root
            located = exc.source if Path(exc.source).is_absolute() else f"{name}/{exc.source}"
            raise ConfigError(exc.problems, source=located) from None
        except ChecklistError as exc:
            raise ChecklistError(f"project {name}: {exc}") from None
        if config.settings.projects:
            raise ConfigError([f"'projects': the project {name} lists projects of its own; nested monorepos are "
                               f"not supported: list every project folder in the root configuration ({source})"],
                              source=f"{name}/{config.source}")
        projects.append(Project(name=name, root=folder, config=config))
    return projects


def find_project_folders(root: Path, loaded: LoadedSettings) -> list[tuple[str, Path]]:
    """The ``(name, folder)`` of every project the root configuration lists, sorted by name.

    Raises :class:`ConfigError` when the root configuration holds other settings, lists
    nothing, or lists a folder that does not exist, lies outside the repository, has no
    configuration, or is nested in another project; and when a glob matches no folder.
    """
    source = loaded.source or "the root configuration"
    key = f"tool.{PYPROJECT_TABLE}.projects" if loaded.kind == "pyproject" else "projects"
    others = sorted(loaded.settings.model_fields_set - {"projects"})
    if others:
        raise ConfigError([f"the root configuration lists projects, so it may hold nothing else; move "
                           f"{', '.join(repr(other) for other in others)} into each project's own configuration "
                           "(every project is evaluated with its own settings only)"], source=source)
    if not loaded.settings.projects:
        raise ConfigError([f"'{key}' is empty; list the project folders (e.g. [\"services/*\"]) or remove the key"],
                          source=source)
    found: dict[str, Path] = {}
    problems: list[str] = []
    for position, entry in enumerate(loaded.settings.projects):
        where = f"'{key}[{position}]' ({entry!r})"
        for folder in _expand(root, entry, where, problems):
            name = folder.relative_to(root).as_posix()
            if name == ".":
                problems.append(f"{where}: the repository root cannot be a project, since its configuration "
                                "lists the projects; move the root project's settings into a folder of its own")
                continue
            config_path, _ = find_config_file(folder)
            if config_path is None:
                problems.append(f"{where}: the folder {name} has no configuration; add {name}/mlchecklist.yaml "
                                f"(or [tool.{PYPROJECT_TABLE}] in {name}/pyproject.toml), or stop listing it")
                continue
            found[name] = folder
    names = sorted(found)
    for outer in names:
        for inner in names:
            if inner != outer and inner.startswith(outer + "/"):
                problems.append(f"the project {inner} is inside the project {outer}; projects cannot be nested: "
                                f"list only one of them (or move {outer}'s configuration into a sibling folder)")
    if problems:
        raise ConfigError(list(dict.fromkeys(problems)), source=source)
    return [(name, found[name]) for name in names]


def _expand(root: Path, entry: str, where: str, problems: list[str]) -> list[Path]:
    """The folders a ``projects`` entry names, resolved; problems are appended, not raised."""
    text = entry.strip().replace("\\", "/")
    pure = PurePosixPath(text)
    if not text or pure.is_absolute() or ".." in pure.parts:
        problems.append(f"{where}: project folders are written relative to the repository root, without '..'; "
                        f"{entry!r} is outside the repository")
        return []
    if not any(character in text for character in _GLOB_CHARACTERS):
        folder = (root / text).resolve()
        if not _inside(folder, root):
            problems.append(f"{where}: {text} leads outside the repository (a symbolic link?); "
                            "a project folder must be inside it")
            return []
        if not folder.is_dir():
            problems.append(f"{where}: there is no folder {text} in the repository; fix the path or remove it")
            return []
        return [folder]
    matched: list[Path] = []
    for candidate in sorted(root.glob(text)):
        relative = candidate.relative_to(root)
        if any(part.startswith(".") or part in ALWAYS_SKIPPED_DIRS for part in relative.parts):
            continue
        if not candidate.is_dir():
            continue
        resolved = candidate.resolve()
        if _inside(resolved, root):
            matched.append(resolved)
        else:
            problems.append(f"{where}: {relative.as_posix()} leads outside the repository (a symbolic link?); "
                            "a project folder must be inside it")
            return []
    if not matched:
        problems.append(f"{where}: the glob matches no folder in the repository; fix the pattern or remove it")
    return matched


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def project_of(projects: list[Project], relative_path: str) -> Project | None:
    """The project whose folder holds ``relative_path`` (a path or a pytest node id relative to
    the repository root), or ``None`` when it lies outside every project."""
    return next((project for project in projects if project.contains(relative_path)), None)
