"""Where a pydantic validation error points, as readable text.

Shared by the readers of the configuration (:mod:`pytest_mlchecklist.config`) and of team
catalogs (:mod:`pytest_mlchecklist.catalog.team`), which word their messages themselves.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


def is_union_branch(part: Any) -> bool:
    """Whether a location part is the name of a union branch that pydantic adds
    (``"str"``, ``"int"``, ``"list[union[int,str]]"``...), not a key of the file."""
    return isinstance(part, str) and (part in {"str", "int"} or part.startswith(("list[", "union[", "dict[", "function-")))


def format_loc(loc: tuple[Any, ...]) -> str:
    """A location as a key path: ``("items", 2, "rules")`` -> ``items[2].rules``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def known_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> set[str]:
    """The keys allowed at ``loc`` below ``model`` (empty when no model stands there)."""
    for part in loc:
        if isinstance(part, int) or str(part) not in model.model_fields:
            continue  # a list position, or the key of a mapping of models (metrics.gates.<metric>)
        nested = model_in(model.model_fields[str(part)].annotation)
        if nested is None:
            return set()
        model = nested
    return set(model.model_fields)


def model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model an annotation holds (``Model``, ``list[Model]``, ``Model | None``...), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in getattr(annotation, "__args__", ()):
        found = model_in(argument)
        if found is not None:
            return found
    return None
