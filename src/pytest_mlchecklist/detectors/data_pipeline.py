"""Detectors for the data pipeline section: item 1, schema validation on all data inputs.

Four detectors, one per kind of schema a team keeps. Each decides from parsed content and says
whether the schema is **applied** (``supports``) or only **defined** (``partial``): a schema
that no code validates data with protects nothing.

``json-schema``
    ``.json``/``.yaml``/``.yml`` files chosen by name (``*schema*``), by folder (``schemas/``,
    ``contracts/``) or by a ``"$schema"`` in their text; a document is a JSON Schema when it has
    ``type: object`` with a ``properties`` mapping, or a json-schema.org ``$schema`` with schema
    keywords. Properties with a ``type`` (or ``enum``/``const``/``$ref``/``anyOf``/``oneOf``)
    are counted; a schema without any is ``partial``. It is applied when its file name appears
    in a string of non-test Python (docstrings excepted) or in a YAML/TOML config value, **and**
    data is validated: a ``jsonschema``/``fastjsonschema`` call anywhere in non-test code, or a
    call to a ``validate``-named function in a module that names the schema file.
``pydantic-model``
    classes deriving from ``pydantic.BaseModel`` (aliases resolved, subclasses of repository
    models followed) with at least one annotated field; ``BaseSettings`` is configuration, not
    input data, and is not counted. Applied when non-test code constructs the model, calls
    ``.model_validate``/``.model_validate_json``/``.parse_obj``/``.parse_raw``, wraps it in
    ``TypeAdapter``, annotates a function parameter with it or passes it as ``response_model``;
    a model nested in an applied model, or the parent of an applied model, is applied through it.
``pandera-schema``
    ``DataFrameModel``/``SchemaModel`` subclasses with annotated fields and
    ``DataFrameSchema({...})`` calls with a non-empty columns dict. Applied by ``.validate``,
    by calling the model or schema on a frame, by ``@pa.check_input/check_output/check_io``, or
    by a ``DataFrame[Model]`` annotation on a function decorated with ``@pa.check_types``.
``avro-schema``
    Avro record schemas (``.avsc``: ``type: record`` with typed ``fields``). Applied when non-test
    code or config names the file and non-test code uses an Avro library (``fastavro``,
    ``avro``, the Confluent Avro serializers) to read or write records with it.
``great-expectations``
    Great Expectations suites (``expectations`` list of ``expect_*`` entries, named by
    ``expectation_suite_name`` or ``name``); an empty suite is ``partial``. Applied when the suite
    name is referenced by a checkpoint or validation definition file, or in a string of non-test
    Python.

Test modules and test folders are never evidence (unless the team declares them); vendored and
generated folders are skipped. Python is only parsed (``ast``), never imported.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pytest_mlchecklist.detectors.base import Detector, DetectorContext, detector, iter_nodes
from pytest_mlchecklist.detectors.python_code import (
    PythonModule,
    dotted_name,
    is_test_path,
    iter_calls,
    mentioning,
    repository_modules,
)
from pytest_mlchecklist.evidence import Evidence

ITEM = "schema-validation"

# --------------------------------------------------------------------------- Python facts


def python_modules(ctx: DetectorContext) -> list[PythonModule]:
    """Every readable Python file of the repository except vendored/generated ones, test
    modules flagged (see :func:`repository_modules`)."""
    return repository_modules(ctx, ITEM, tests=None)


def broken_modules(modules: Iterable[PythonModule], *hints: str) -> list[str]:
    """Non-test modules that mention one of ``hints`` but are not valid Python."""
    return [module.path for module in modules if not module.is_test and module.mentions(*hints) and not module.parses]


def imports_library(modules: Iterable[PythonModule], library: str) -> bool:
    """True when some non-test module imports ``library`` (or one of its submodules)."""
    return any(
        target == library or target.startswith(library + ".")
        for module in modules
        if not module.is_test
        for target in module.aliases.values()
    )


def referenced_names(node: ast.AST | None) -> Iterator[str]:
    """Dotted names mentioned in an expression (an annotation, an argument), outermost chains only.

    String annotations (``"Transaction"``, ``"list[Row]"``) are parsed and searched too. The
    walk is iterative, so deeply nested expressions cannot exhaust the stack.
    """
    stack: list[ast.AST] = [] if node is None else [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ast.Constant) and isinstance(current.value, str):
            try:
                stack.append(ast.parse(current.value, mode="eval").body)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                pass
            continue
        name = dotted_name(current) if isinstance(current, (ast.Attribute, ast.Name)) else None
        if name is not None:
            yield name
        else:
            stack.extend(reversed(list(ast.iter_child_nodes(current))))


def string_constants(tree: ast.Module) -> Iterator[tuple[str, int]]:
    """String constants of a module with their lines, leaving out docstrings and bare strings."""
    bare = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in bare:
            yield node.value, node.lineno


# --------------------------------------------------------------------------- uses of names


@dataclass(frozen=True)
class Use:
    """One place where code uses a name: how, where, and in which class/function."""

    target: str
    how: str  # call | attr | param | returns | type-adapter | response-model | checker
    path: str
    line: int
    attr: str = ""
    owner: str | None = None
    check_types: bool = False
    is_test: bool = False


_TYPE_ADAPTERS = frozenset({"pydantic.TypeAdapter", "pydantic.type_adapter.TypeAdapter", "pydantic.parse_obj_as"})
_PANDERA_CHECKERS = frozenset({"check_input", "check_output", "check_io"})


def _is_pandera(resolved: str | None, names: frozenset[str]) -> bool:
    return bool(resolved and resolved.startswith("pandera") and resolved.rsplit(".", 1)[-1] in names)


def collect_uses(modules: Iterable[PythonModule]) -> list[Use]:
    """Every :class:`Use` in ``modules``, in path and line order."""
    uses: list[Use] = []
    for module in modules:
        uses.extend(module_uses(module))
    return sorted(uses, key=lambda use: (use.path, use.line))


def module_uses(module: PythonModule) -> Iterator[Use]:
    """The uses of names in one module: calls, attribute reads, parameter and return
    annotations, ``TypeAdapter``/``response_model`` arguments and pandera check decorators.

    The walk is iterative (no recursion limit) and remembers the enclosing class of each node.
    """
    stack: list[tuple[ast.AST, str | None]] = [(module.tree, None)]
    while stack:
        node, owner = stack.pop()
        where = {"path": module.path, "owner": owner, "is_test": module.is_test}
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield from _function_uses(module, node, where)
        elif isinstance(node, ast.Call):
            yield from _call_uses(module, node, where)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            name = dotted_name(node.value)
            resolved = module.resolve(name) if name else None
            if resolved:
                yield Use(resolved, "attr", line=node.lineno, attr=node.attr, **where)
        inner = f"{module.name}.{node.name}" if isinstance(node, ast.ClassDef) else owner
        stack.extend((child, inner) for child in reversed(list(ast.iter_child_nodes(node))))


def _named_uses(
    module: PythonModule,
    expression: ast.AST | None,
    how: str,
    line: int,
    where: dict[str, Any],
    *,
    check_types: bool = False,
) -> Iterator[Use]:
    for name in referenced_names(expression):
        resolved = module.resolve(name)
        if resolved:
            yield Use(resolved, how, line=line, check_types=check_types, **where)


def _function_uses(
    module: PythonModule, node: ast.FunctionDef | ast.AsyncFunctionDef, where: dict[str, Any]
) -> Iterator[Use]:
    check_types = False
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = dotted_name(target)
        resolved = module.resolve(name) if name else None
        check_types = check_types or _is_pandera(resolved, frozenset({"check_types"}))
        if isinstance(decorator, ast.Call) and _is_pandera(resolved, _PANDERA_CHECKERS):
            for argument in [*decorator.args, *(keyword.value for keyword in decorator.keywords)]:
                yield from _named_uses(module, argument, "checker", decorator.lineno, where)
    arguments = node.args
    for argument in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg, arguments.kwarg]:
        if argument is not None:
            annotation = argument.annotation
            yield from _named_uses(module, annotation, "param", argument.lineno, where, check_types=check_types)
    yield from _named_uses(module, node.returns, "returns", node.lineno, where, check_types=check_types)


def _call_uses(module: PythonModule, node: ast.Call, where: dict[str, Any]) -> Iterator[Use]:
    name = dotted_name(node.func)
    resolved = module.resolve(name) if name else None
    if resolved:
        yield Use(resolved, "call", line=node.lineno, **where)
    if resolved in _TYPE_ADAPTERS and node.args:
        yield from _named_uses(module, node.args[0], "type-adapter", node.lineno, where)
    for keyword in node.keywords:
        if keyword.arg == "response_model":
            yield from _named_uses(module, keyword.value, "response-model", node.lineno, where)


def names_match(target: str, qualname: str) -> bool:
    """True when a resolved name points at the definition ``qualname``.

    Module names come from paths, imports from the package root, so ``fraud.schemas.Row``
    matches a class defined in ``services/api/fraud/schemas.py``.
    """
    return target == qualname or qualname.endswith("." + target)


# --------------------------------------------------------------------------- class-based schemas


@dataclass
class SchemaClass:
    """A pydantic or pandera model class found in the repository."""

    qualname: str
    name: str
    module: PythonModule
    node: ast.ClassDef
    parents: list[str] = field(default_factory=list)

    @property
    def path(self) -> str:
        """The file that defines the class."""
        return self.module.path


def find_schema_classes(modules: Iterable[PythonModule], roots: frozenset[str]) -> list[SchemaClass]:
    """Non-test classes deriving (directly, or through other such classes) from one of ``roots``."""
    candidates: list[tuple[PythonModule, ast.ClassDef, list[str]]] = []
    for module in modules:
        if module.is_test:
            continue
        for node in ast.walk(module.tree):
            if isinstance(node, ast.ClassDef):
                bases = [dotted_name(base) for base in node.bases]
                resolved = [module.resolve(base) for base in bases if base]
                candidates.append((module, node, [base for base in resolved if base]))
    found: dict[str, SchemaClass] = {}
    changed = True
    while changed:
        changed = False
        for module, node, bases in candidates:
            qualname = f"{module.name}.{node.name}"
            if qualname in found:
                continue
            parents = [known for base in bases for known in found if names_match(base, known)]
            if parents or any(base in roots for base in bases):
                found[qualname] = SchemaClass(qualname, node.name, module, node, parents)
                changed = True
    return sorted(found.values(), key=lambda schema: (schema.path, schema.node.lineno))


def find_library_classes(
    modules: list[PythonModule], start: list[PythonModule], roots: frozenset[str]
) -> list[SchemaClass]:
    """Schema classes rooted in ``roots``, found in the ``start`` modules (those mentioning the
    library) and then, for subclasses, in the modules that mention a class already found."""
    selected = {module.path: module for module in start}
    while True:
        classes = find_schema_classes(selected.values(), roots)
        users = mentioning(modules, *by_name_words(classes))
        more = [module for module in users if module.path not in selected]
        if not more:
            return classes
        selected.update((module.path, module) for module in more)


_CONSTRAINT_KEYWORDS = frozenset(
    {"gt", "ge", "lt", "le", "min_length", "max_length", "pattern", "regex", "multiple_of", "max_digits",
     "decimal_places", "isin", "notin", "in_range", "str_matches", "str_length", "unique", "nullable"}
)
_CONSTRAINED_TYPES = frozenset(
    {"conint", "confloat", "constr", "condecimal", "conlist", "conset", "Literal", "Annotated"}
)


def by_name_words(classes: Iterable[SchemaClass]) -> list[str]:
    """The class names, sorted: the words a module must contain to use one of them."""
    return sorted({found.name for found in classes})


def own_fields(schema: SchemaClass) -> dict[str, bool]:
    """The annotated fields a class declares itself, each with whether it carries a constraint.

    ``ClassVar`` annotations, private names and ``model_config`` are not fields.
    """
    fields: dict[str, bool] = {}
    for statement in schema.node.body:
        if not isinstance(statement, ast.AnnAssign) or not isinstance(statement.target, ast.Name):
            continue
        name = statement.target.id
        annotation_names = {part.rsplit(".", 1)[-1] for part in referenced_names(statement.annotation)}
        if name.startswith("_") or name == "model_config" or "ClassVar" in annotation_names:
            continue
        fields[name] = _is_constrained(statement, annotation_names)
    return fields


def _is_constrained(statement: ast.AnnAssign, annotation_names: set[str]) -> bool:
    if annotation_names & _CONSTRAINED_TYPES:
        return True
    value = statement.value
    if isinstance(value, ast.Call):
        return any(keyword.arg in _CONSTRAINT_KEYWORDS for keyword in value.keywords)
    return False


def all_fields(schema: SchemaClass, by_name: dict[str, SchemaClass]) -> dict[str, bool]:
    """Fields declared by the class and by its repository parents."""
    fields: dict[str, bool] = {}
    seen: set[str] = set()
    stack = [schema]
    while stack:
        current = stack.pop()
        if current.qualname in seen:
            continue
        seen.add(current.qualname)
        for name, constrained in own_fields(current).items():
            fields.setdefault(name, constrained)
        stack.extend(by_name[parent] for parent in current.parents if parent in by_name)
    return fields


def describe_fields(fields: dict[str, bool]) -> str:
    """``9 typed fields, 6 constrained``."""
    count = len(fields)
    text = f"{count} typed field{'s' if count != 1 else ''}"
    constrained = sum(fields.values())
    return f"{text}, {constrained} constrained" if constrained else text


@dataclass(frozen=True)
class Application:
    """Where a schema is applied, and how (for the detail)."""

    path: str
    line: int
    how: str


def first_application(applications: Iterable[Application]) -> Application | None:
    """The application to show: the first one by path and line."""
    ordered = sorted(applications, key=lambda found: (found.path, found.line))
    return ordered[0] if ordered else None


# --------------------------------------------------------------------------- pydantic

_PYDANTIC_ROOTS = frozenset(
    {"pydantic.BaseModel", "pydantic.main.BaseModel", "pydantic.v1.BaseModel", "pydantic.v1.main.BaseModel"}
)
_PYDANTIC_VALIDATE_ATTRS = frozenset(
    {
        "model_validate",
        "model_validate_json",
        "model_validate_strings",
        "parse_obj",
        "parse_raw",
        "parse_file",
        "validate",
    }
)
_PYDANTIC_HOW = {
    "call": "constructed",
    "param": "parameter annotation",
    "type-adapter": "`TypeAdapter`",
    "response-model": "`response_model`",
}


def _pydantic_direct_applications(model: SchemaClass, uses: list[Use]) -> list[Application]:
    found: list[Application] = []
    for use in uses:
        if use.is_test or use.owner == model.qualname or not names_match(use.target, model.qualname):
            continue
        if use.how == "attr" and use.attr in _PYDANTIC_VALIDATE_ATTRS:
            found.append(Application(use.path, use.line, f"`.{use.attr}`"))
        elif use.how in _PYDANTIC_HOW:
            found.append(Application(use.path, use.line, _PYDANTIC_HOW[use.how]))
    return found


def _field_references(model: SchemaClass) -> set[str]:
    """Resolved names used in the field annotations of a model (its nested models)."""
    names: set[str] = set()
    for statement in model.node.body:
        if isinstance(statement, ast.AnnAssign):
            for name in referenced_names(statement.annotation):
                resolved = model.module.resolve(name)
                if resolved:
                    names.add(resolved)
    return names


def pydantic_applications(models: list[SchemaClass], uses: list[Use]) -> dict[str, Application]:
    """For each applied model, where it is applied (directly, nested in or parent of an applied model)."""
    applied: dict[str, Application] = {}
    for model in models:
        found = first_application(_pydantic_direct_applications(model, uses))
        if found is not None:
            applied[model.qualname] = found
    changed = True
    while changed:
        changed = False
        for model in models:
            if model.qualname not in applied:
                continue
            through = applied[model.qualname]
            nested = _field_references(model)
            for other in models:
                if other.qualname in applied:
                    continue
                if any(names_match(name, other.qualname) for name in nested):
                    applied[other.qualname] = Application(through.path, through.line, f"nested in `{model.name}`")
                    changed = True
                elif other.qualname in model.parents:
                    how = f"through subclass `{model.name}`"
                    applied[other.qualname] = Application(through.path, through.line, how)
                    changed = True
    return applied


def _used_only_in_tests(qualname: str, uses: list[Use]) -> bool:
    return any(use.is_test and names_match(use.target, qualname) for use in uses)


@detector(
    name="pydantic-model",
    items=(ITEM,),
    looks_for="pydantic models with typed fields in non-test code, and the code that validates data with them "
    "(model construction, .model_validate, TypeAdapter, FastAPI request/response models)",
)
def pydantic_models(ctx: DetectorContext) -> Iterator[Evidence]:
    """Pydantic models of input data, ``supports`` when code validates data with them."""
    modules = python_modules(ctx)
    for path in broken_modules(modules, "pydantic"):
        yield ctx.unreadable(ITEM, path)
    library = mentioning(modules, "pydantic")
    if not imports_library(library, "pydantic"):
        return
    models = find_library_classes(modules, library, _PYDANTIC_ROOTS)
    by_name = {model.qualname: model for model in models}
    uses = collect_uses(mentioning(modules, *by_name_words(models)))
    applied = pydantic_applications(models, uses)
    for model in models:
        fields = all_fields(model, by_name)
        if not fields:
            continue
        where = {"path": model.path, "line": model.node.lineno}
        described = f"pydantic model `{model.name}` ({describe_fields(fields)})"
        application = applied.get(model.qualname)
        if application is not None:
            yield ctx.supports(
                ITEM, f"{described}, validated in `{application.path}:{application.line}` ({application.how})", **where
            )
        elif _used_only_in_tests(model.qualname, uses):
            yield ctx.partial(ITEM, f"{described} is defined but only tests validate data with it", **where)
        else:
            yield ctx.partial(ITEM, f"{described} is defined but no code validates data with it", **where)


# --------------------------------------------------------------------------- pandera

_PANDERA_MODEL_NAMES = frozenset({"DataFrameModel", "SchemaModel"})


def _pandera_roots(modules: Iterable[PythonModule]) -> frozenset[str]:
    """The resolved names of pandera's model base classes as the repository imports them."""
    roots: set[str] = set()
    for module in modules:
        roots.update(target for target in module.aliases.values() if _is_pandera(target, _PANDERA_MODEL_NAMES))
        for node in ast.walk(module.tree):
            if isinstance(node, ast.ClassDef):
                for base in node.bases:
                    name = dotted_name(base)
                    resolved = module.resolve(name) if name else None
                    if resolved and _is_pandera(resolved, _PANDERA_MODEL_NAMES):
                        roots.add(resolved)
    return frozenset(roots)


@dataclass(frozen=True)
class PanderaSchema:
    """A ``DataFrameSchema(...)`` object: its name (if assigned), columns and location."""

    qualname: str | None
    label: str
    columns: int | None  # None: built by a comprehension, count unknown
    path: str
    line: int
    inline_applied: Application | None


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


def _is_dataframe_schema(module: PythonModule, call: ast.Call) -> bool:
    name = dotted_name(call.func)
    resolved = module.resolve(name) if name else None
    return bool(resolved and resolved.startswith("pandera") and resolved.endswith(".DataFrameSchema"))


def _column_count(call: ast.Call) -> int | None:
    """Columns of a ``DataFrameSchema`` call: 0 when none are given, ``None`` when they are
    built in code (a comprehension, a variable) and cannot be counted."""
    columns: ast.AST | None = call.args[0] if call.args else None
    for keyword in call.keywords:
        if keyword.arg == "columns":
            columns = keyword.value
    if columns is None or (isinstance(columns, ast.Constant) and columns.value is None):
        return 0
    if isinstance(columns, ast.Dict):
        return sum(1 for key in columns.keys if key is not None) or (None if columns.values else 0)
    return None


def find_pandera_schemas(modules: Iterable[PythonModule]) -> list[PanderaSchema]:
    """``DataFrameSchema`` objects built in non-test code."""
    schemas: list[PanderaSchema] = []
    for module in modules:
        if module.is_test:
            continue
        assigned: dict[int, str] = {}
        inline: dict[int, str] = {}
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        assigned[id(node.value)] = target.id
            elif isinstance(node, ast.Attribute) and node.attr == "validate" and isinstance(node.value, ast.Call):
                inline[id(node.value)] = "`.validate`"
            elif isinstance(node, ast.Call) and _is_checker_call(module, node):
                for argument in node.args:
                    inline[id(argument)] = "pandera check decorator"
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Call) and _is_dataframe_schema(module, node):
                name = assigned.get(id(node))
                how = inline.get(id(node))
                schemas.append(
                    PanderaSchema(
                        qualname=f"{module.name}.{name}" if name else None,
                        label=f"`{name}`" if name else f"at line {node.lineno}",
                        columns=_column_count(node),
                        path=module.path,
                        line=node.lineno,
                        inline_applied=Application(module.path, node.lineno, how) if how else None,
                    )
                )
    return sorted(schemas, key=lambda schema: (schema.path, schema.line))


def _is_checker_call(module: PythonModule, call: ast.Call) -> bool:
    name = dotted_name(call.func)
    return _is_pandera(module.resolve(name) if name else None, _PANDERA_CHECKERS)


def pandera_applications(qualname: str, uses: list[Use]) -> list[Application]:
    """Where non-test code validates frames with the pandera model or schema ``qualname``."""
    found: list[Application] = []
    for use in uses:
        if use.is_test or use.owner == qualname:
            continue
        if use.how == "checker" and (names_match(use.target, qualname) or use.target.startswith(qualname + ".")):
            found.append(Application(use.path, use.line, "pandera check decorator"))
        elif not names_match(use.target, qualname):
            continue
        elif use.how == "attr" and use.attr == "validate":
            found.append(Application(use.path, use.line, "`.validate`"))
        elif use.how == "call":
            found.append(Application(use.path, use.line, "called on a frame"))
        elif use.how in ("param", "returns") and use.check_types:
            found.append(Application(use.path, use.line, "`@check_types` annotation"))
    return found


@detector(
    name="pandera-schema",
    items=(ITEM,),
    looks_for="pandera DataFrameModel classes and DataFrameSchema objects with columns, and the pipeline code "
    "that validates frames with them (.validate, @check_types, check_input/check_output)",
)
def pandera_schemas(ctx: DetectorContext) -> Iterator[Evidence]:
    """Pandera models and schemas, ``supports`` when code validates frames with them."""
    modules = python_modules(ctx)
    for path in broken_modules(modules, "pandera"):
        yield ctx.unreadable(ITEM, path)
    library = mentioning(modules, "pandera")
    if not imports_library(library, "pandera"):
        return
    models = find_library_classes(modules, library, _pandera_roots(library))
    by_name = {model.qualname: model for model in models}
    schemas = find_pandera_schemas(library)
    schema_names = [schema.qualname.rsplit(".", 1)[-1] for schema in schemas if schema.qualname]
    uses = collect_uses(mentioning(modules, *by_name_words(models), *schema_names))
    for model in models:
        fields = all_fields(model, by_name)
        if not fields:
            continue
        described = f"pandera model `{model.name}` ({describe_fields(fields).replace('field', 'column')})"
        application = first_application(pandera_applications(model.qualname, uses))
        yield _pandera_evidence(ctx, described, application, path=model.path, line=model.node.lineno)
    for schema in schemas:
        if schema.columns == 0:
            detail = f"pandera DataFrameSchema {schema.label} declares no columns"
            yield ctx.partial(ITEM, detail, path=schema.path, line=schema.line)
            continue
        columns = "columns built in code" if schema.columns is None else _plural(schema.columns, "column")
        applications = pandera_applications(schema.qualname, uses) if schema.qualname else []
        if schema.inline_applied is not None:
            applications.append(schema.inline_applied)
        described = f"pandera DataFrameSchema {schema.label} ({columns})"
        yield _pandera_evidence(ctx, described, first_application(applications), path=schema.path, line=schema.line)


def _pandera_evidence(
    ctx: DetectorContext, described: str, application: Application | None, *, path: str, line: int
) -> Evidence:
    if application is None:
        return ctx.partial(ITEM, f"{described} is defined but no code validates data with it", path=path, line=line)
    where = f"`{application.path}:{application.line}` ({application.how})"
    return ctx.supports(ITEM, f"{described}, validated in {where}", path=path, line=line)


# --------------------------------------------------------------------------- JSON Schema

_SCHEMA_DIRS = frozenset(
    {"schemas", "schema", "jsonschema", "jsonschemas", "json-schemas", "json_schemas", "contracts"}
)
_SCHEMA_KEYWORDS = ("type", "properties", "$defs", "definitions", "items", "allOf", "anyOf", "oneOf", "$ref")
_TYPED_KEYWORDS = ("type", "enum", "const", "$ref", "anyOf", "oneOf")
_STRUCTURED_SUFFIXES = (".json", ".yaml", ".yml")
_SKIPPED_PARTS = frozenset({"uncommitted", "node_modules"})


def _named_like_schema(path: str) -> bool:
    parts = path.lower().split("/")
    return "schema" in parts[-1] or any(part in _SCHEMA_DIRS for part in parts[:-1])


def json_schema_candidates(ctx: DetectorContext) -> tuple[list[str], set[str]]:
    """Structured files that may hold a JSON Schema, and which of them were chosen by name or folder.

    Files chosen only because their text mentions ``$schema`` are read but, if they do not
    parse, skipped (editor configs with comments say ``$schema`` too).
    """
    declared = set(ctx.declared(ITEM))
    paths: list[str] = []
    by_name: set[str] = set()
    for path in ctx.candidates(ITEM, ctx.index.with_suffix(*_STRUCTURED_SUFFIXES)):
        if not path.lower().endswith(_STRUCTURED_SUFFIXES):
            continue
        if path not in declared and (is_test_path(path) or set(path.split("/")[:-1]) & _SKIPPED_PARTS):
            continue
        if _named_like_schema(path) or path in declared:
            paths.append(path)
            by_name.add(path)
            continue
        text = ctx.index.read_text(path)
        if text is not None and "$schema" in text:
            paths.append(path)
    return paths, by_name


def is_json_schema(document: Any) -> bool:
    """A mapping shaped like a JSON Schema (see the module docstring)."""
    if not isinstance(document, dict):
        return False
    if document.get("type") == "object" and isinstance(document.get("properties"), dict):
        return True
    meta = document.get("$schema")
    return isinstance(meta, str) and "json-schema.org" in meta and any(key in document for key in _SCHEMA_KEYWORDS)


def _is_typed(rules: Any) -> bool:
    return isinstance(rules, dict) and any(key in rules for key in _TYPED_KEYWORDS)


def typed_properties(schema: dict[str, Any]) -> tuple[int, int]:
    """(typed properties, required names) of a schema: its own properties, those of an
    ``items`` object, and those of its ``$defs``/``definitions``."""
    parts: list[dict[str, Any]] = [schema]
    items = schema.get("items")
    if isinstance(items, dict):
        parts.append(items)
    for key in ("$defs", "definitions"):
        definitions = schema.get(key)
        if isinstance(definitions, dict):
            parts.extend(value for value in definitions.values() if isinstance(value, dict))
    typed = required = 0
    for part in parts:
        properties = part.get("properties")
        if isinstance(properties, dict):
            typed += sum(1 for rules in properties.values() if _is_typed(rules))
        names = part.get("required")
        if isinstance(names, list):
            required += len(names)
    return typed, required


@dataclass(frozen=True)
class Reference:
    """A place that names a file (Python string or config value)."""

    path: str
    line: int | None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


def names_file(value: str, basename: str) -> bool:
    """True when a string is the file name or a path ending with it."""
    return value == basename or value.endswith(("/" + basename, "\\" + basename))


def file_references(ctx: DetectorContext, modules: list[PythonModule], basename: str, exclude: str) -> list[Reference]:
    """Where non-test Python strings or YAML/TOML config values name ``basename``."""
    found: list[Reference] = []
    for module in mentioning(modules, basename):
        if module.is_test:
            continue
        for value, line in string_constants(module.tree):
            if names_file(value, basename):
                found.append(Reference(module.path, line))
                break
    for path in ctx.candidates(ITEM, ctx.index.with_suffix(".yaml", ".yml", ".toml")):
        if path == exclude or is_test_path(path) or basename not in (ctx.index.read_text(path) or ""):
            continue
        documents = ctx.index.structured(path) or []
        if any(isinstance(node, str) and names_file(node, basename) for node in iter_nodes(documents)):
            found.append(Reference(path, None))
    return found


@dataclass(frozen=True)
class ValidatorCall:
    """A call that validates data against a JSON Schema."""

    name: str
    path: str
    line: int


def library_validator_calls(modules: Iterable[PythonModule]) -> list[ValidatorCall]:
    """``jsonschema``/``fastjsonschema`` calls in non-test code."""
    found: list[ValidatorCall] = []
    for module in modules:
        if module.is_test:
            continue
        for call in iter_calls(module.tree, module.aliases):
            library = call.name.split(".", 1)[0]
            if library in ("jsonschema", "fastjsonschema") and not call.name.startswith("jsonschema.exceptions"):
                found.append(ValidatorCall(library, module.path, call.line))
    return sorted(found, key=lambda call: (call.path, call.line))


def local_validator_call(module: PythonModule) -> ValidatorCall | None:
    """The first call of a ``validate``-named function in a module (a hand-written validator)."""
    calls = sorted(iter_calls(module.tree, module.aliases), key=lambda call: call.line)
    for call in calls:
        if "validate" in call.name.rsplit(".", 1)[-1].lower():
            return ValidatorCall(f"`{call.name}`", module.path, call.line)
    return None


def _validator_for(
    references: list[Reference], library_calls: list[ValidatorCall], by_path: dict[str, PythonModule]
) -> ValidatorCall | None:
    if library_calls:
        return library_calls[0]
    for reference in references:
        module = by_path.get(reference.path)
        found = local_validator_call(module) if module is not None else None
        if found is not None:
            return found
    return None


@detector(
    name="json-schema",
    items=(ITEM,),
    looks_for="JSON Schema files (*.schema.json, schemas/ folders, $schema documents) with typed properties, "
    "named by non-test code or config and validated with jsonschema/fastjsonschema",
)
def json_schemas(ctx: DetectorContext) -> Iterator[Evidence]:
    """JSON Schema files, ``supports`` when code loads them and validates data against them."""
    paths, by_name = json_schema_candidates(ctx)
    if not paths:
        return
    modules = python_modules(ctx)
    by_path = {module.path: module for module in modules}
    library_calls = library_validator_calls(mentioning(modules, "jsonschema"))
    for path in paths:
        documents = ctx.index.structured(path)
        if documents is None:
            if path in by_name:
                yield ctx.unreadable(ITEM, path)
            continue
        schemas = [document for document in documents if is_json_schema(document)]
        if not schemas:
            continue
        typed = required = 0
        for schema in schemas:
            counted = typed_properties(schema)
            typed, required = typed + counted[0], required + counted[1]
        yield _json_schema_evidence(ctx, path, typed, required, modules, by_path, library_calls)


def _json_schema_evidence(
    ctx: DetectorContext,
    path: str,
    typed: int,
    required: int,
    modules: list[PythonModule],
    by_path: dict[str, PythonModule],
    library_calls: list[ValidatorCall],
) -> Evidence:
    if typed == 0:
        return ctx.partial(ITEM, f"JSON Schema `{path}` declares no typed properties", path=path)
    described = f"JSON Schema `{path}` ({typed} typed propert{'ies' if typed != 1 else 'y'}, {required} required)"
    basename = path.rsplit("/", 1)[-1]
    references = file_references(ctx, modules, basename, exclude=path)
    if not references:
        return ctx.partial(ITEM, f"{described} is not referenced by any non-test code or config", path=path)
    validator = _validator_for(references, library_calls, by_path)
    if validator is None:
        return ctx.partial(
            ITEM,
            f"{described} is referenced in `{references[0]}` "
            "but no jsonschema/fastjsonschema validation call was found",
            path=path,
        )
    return ctx.supports(
        ITEM,
        f"{described}, referenced in `{references[0]}`, "
        f"validated with {validator.name} in `{validator.path}:{validator.line}`",
        path=path,
    )


# --------------------------------------------------------------------------- Avro

#: Calls that parse an Avro schema or read/validate records with one.
_AVRO_CALL_PREFIXES = ("fastavro.", "avro.", "confluent_kafka.schema_registry.avro.")


def avro_fields(document: Any) -> int | None:
    """The number of typed fields of an Avro record schema, ``None`` when it is not one."""
    if not isinstance(document, dict) or document.get("type") != "record" or not isinstance(document.get("name"), str):
        return None
    fields = document.get("fields")
    if not isinstance(fields, list):
        return None
    return sum(1 for field_spec in fields if isinstance(field_spec, dict) and field_spec.get("type") not in (None, ""))


def avro_calls(modules: Iterable[PythonModule]) -> list[ValidatorCall]:
    """Calls of the Avro libraries (fastavro, avro, the Confluent Avro serdes) in non-test code."""
    found: list[ValidatorCall] = []
    for module in mentioning(modules, "avro"):
        if module.is_test:
            continue
        for call in iter_calls(module.tree, module.aliases):
            if call.name.startswith(_AVRO_CALL_PREFIXES):
                found.append(ValidatorCall(f"`{call.name}`", module.path, call.line))
    return sorted(found, key=lambda call: (call.path, call.line))


@detector(
    name="avro-schema",
    items=(ITEM,),
    looks_for="Avro record schemas (*.avsc) with typed fields, named by non-test code or config and read with "
    "fastavro/avro/Confluent Avro serdes",
)
def avro_schemas(ctx: DetectorContext) -> Iterator[Evidence]:
    """Avro ``.avsc`` schemas, ``supports`` when code names the file and uses an Avro library."""
    paths = ctx.candidates(ITEM, ctx.index.with_suffix(".avsc"))
    if not paths:
        return
    modules = python_modules(ctx)
    calls = avro_calls(modules)
    for path in paths:
        if is_test_path(path) and path not in ctx.declared(ITEM):
            continue
        data = ctx.index.json_data(path)
        if data is None:
            yield ctx.unreadable(ITEM, path)
            continue
        count = avro_fields(data)
        if count is None:
            yield ctx.partial(ITEM, f"`{path}` is not an Avro record schema (no `type: record` with `fields`)", path=path)
            continue
        if count == 0:
            yield ctx.partial(ITEM, f"Avro schema `{path}` declares no typed fields", path=path)
            continue
        described = f"Avro schema `{path}` ({_plural(count, 'typed field')})"
        references = file_references(ctx, modules, path.rsplit("/", 1)[-1], exclude=path)
        if not references:
            yield ctx.partial(ITEM, f"{described} is not referenced by any non-test code or config", path=path)
        elif not calls:
            yield ctx.partial(ITEM, f"{described} is referenced in `{references[0]}` but no Avro library reads "
                              "data with it", path=path)
        else:
            yield ctx.supports(ITEM, f"{described}, referenced in `{references[0]}`, used with {calls[0].name} in "
                               f"`{calls[0].path}:{calls[0].line}`", path=path)


# --------------------------------------------------------------------------- Great Expectations

_CHECKPOINT_DIRS = frozenset({"checkpoints", "validation_definitions"})


def _is_gx_candidate(path: str, text: str) -> bool:
    parts = path.lower().split("/")
    if "expectations" in parts[:-1] or "expectation_suite_name" in text:
        return True
    return '"expectations"' in text and "expect_" in text


def suite_expectations(document: Any) -> tuple[str, int] | None:
    """(suite name, number of ``expect_*`` entries) of a Great Expectations suite, else ``None``."""
    if not isinstance(document, dict) or not isinstance(document.get("expectations"), list):
        return None
    name = document.get("expectation_suite_name", document.get("name"))
    if not isinstance(name, str) or not name.strip():
        return None
    count = 0
    for entry in document["expectations"]:
        if isinstance(entry, dict):
            kind = entry.get("expectation_type", entry.get("type"))
            if isinstance(kind, str) and kind.startswith("expect_"):
                count += 1
    return name, count


def _is_checkpoint_file(path: str) -> bool:
    parts = path.lower().split("/")
    return "checkpoint" in parts[-1] or any(part in _CHECKPOINT_DIRS for part in parts[:-1])


def suite_references(ctx: DetectorContext, modules: list[PythonModule], names: list[str]) -> dict[str, Reference]:
    """Every string found in checkpoint/validation-definition files, and in the non-test Python
    modules that mention one of the suite ``names``, mapped to its first location."""
    found: dict[str, Reference] = {}
    for path in ctx.candidates(ITEM, ctx.index.with_suffix(".json", ".yaml", ".yml")):
        if not _is_checkpoint_file(path) or is_test_path(path):
            continue
        for node in iter_nodes(ctx.index.structured(path) or []):
            if isinstance(node, str):
                found.setdefault(node, Reference(path, None))
    for module in mentioning(modules, *names):
        if module.is_test:
            continue
        for value, line in string_constants(module.tree):
            found.setdefault(value, Reference(module.path, line))
    return found


@detector(
    name="great-expectations",
    items=(ITEM,),
    looks_for="Great Expectations suites with expectations (great_expectations/ or gx/ expectations folders) "
    "that a checkpoint or pipeline code runs",
)
def great_expectations_suites(ctx: DetectorContext) -> Iterator[Evidence]:
    """Great Expectations suites, ``supports`` when a checkpoint or code refers to them by name."""
    suites: list[tuple[str, str, int]] = []
    for path in ctx.candidates(ITEM, ctx.index.with_suffix(".json", ".yaml", ".yml")):
        if is_test_path(path) or set(path.split("/")[:-1]) & _SKIPPED_PARTS or _is_checkpoint_file(path):
            continue
        text = ctx.index.read_text(path)
        if text is None or not _is_gx_candidate(path, text):
            continue
        documents = ctx.index.structured(path)
        if documents is None:
            yield ctx.unreadable(ITEM, path)
            continue
        for document in documents:
            suite = suite_expectations(document)
            if suite is not None:
                suites.append((path, *suite))
    if not suites:
        return
    references = suite_references(ctx, python_modules(ctx), sorted({name for _, name, _ in suites}))
    for path, name, count in suites:
        if count == 0:
            yield ctx.partial(ITEM, f"Great Expectations suite `{name}` has no expectations", path=path)
            continue
        described = f"Great Expectations suite `{name}` ({count} expectation{'s' if count != 1 else ''})"
        reference = references.get(name)
        if reference is None:
            yield ctx.partial(ITEM, f"{described} is not run by any checkpoint or pipeline code", path=path)
        else:
            yield ctx.supports(ITEM, f"{described}, run from `{reference}`", path=path)


DETECTORS: tuple[Detector, ...] = (
    json_schemas,
    avro_schemas,
    pydantic_models,
    pandera_schemas,
    great_expectations_suites,
)
