"""Shared reader of CI pipelines: GitHub Actions workflows and GitLab CI, parsed once per scan.

Detectors that need to know *what CI runs, when* (a metric gate on every pull request, a
retraining job on a cron schedule, a rollback step that runs when a deploy fails) read the
pipelines through :func:`ci_pipelines` instead of parsing YAML themselves.

What is read
    * **GitHub Actions**: every ``.github/workflows/*.yml`` / ``*.yaml`` (GitHub reads no
      subfolders). ``on`` gives the triggers (YAML 1.1 parses the key ``on`` as ``True``; both
      spellings are read), ``on.schedule[].cron`` the schedules. Jobs with ``steps`` (``run``
      scripts, ``uses`` actions with their ``with`` inputs, ``shell``, ``working-directory`` and
      ``defaults.run.working-directory``), ``if`` conditions, ``needs``, ``continue-on-error``.
      A reusable workflow (``on: workflow_call``) called by a local job
      (``uses: ./.github/workflows/x.yml``) inherits the caller's triggers.
    * **GitLab CI**: the root ``.gitlab-ci.yml`` (and any other ``*.gitlab-ci.yml`` that no
      pipeline includes), with its ``include`` entries that are local files (``local:``, a plain
      path, wildcards); remote, project and template includes are not fetched. Hidden jobs
      (``.name``) are templates: ``extends`` and ``!reference [job, key]`` are resolved,
      ``default``/top-level ``before_script``/``after_script`` inherited. Each job gives up to
      three steps named ``before_script``, ``script`` and ``after_script``. GitLab schedules are
      set in the project settings, not in the repository: a job restricted to schedules (rules
      on ``$CI_PIPELINE_SOURCE == "schedule"``, ``only: [schedules]``) has the trigger
      ``schedule``, but :attr:`CiWorkflow.schedules` is empty.

Triggers are normalised event names: GitHub's own (``push``, ``pull_request``, ``schedule``,
``workflow_dispatch``...), and for GitLab ``push`` (branch pipelines), ``merge_request``,
``tag``, ``schedule``, ``web``, ``api``, ``trigger``, ``pipeline``. A job's triggers are its
workflow's narrowed by what is simple to read: ``github.event_name == 'x'`` / ``!= 'x'`` in a
job or step ``if``, ``if: false``; GitLab ``rules`` (``$CI_PIPELINE_SOURCE == "x"``, merge
request and tag variables, ``when: never`` exclusions), ``only``/``except`` and ``workflow:
rules``. Other conditions (branch names, changed files) are not evaluated: a job that runs on
pushes to ``main`` only still has the trigger ``push``. :data:`CHANGE_TRIGGERS` are the
triggers that run on every change; :attr:`CiJob.runs_on_change` says whether a job can gate
a change (not manual, not only scheduled).

Shell scripts are split into :class:`Command` objects by :func:`split_commands`: continuation
lines joined, comments dropped, ``&&``/``||``/``;``/``|`` separated, environment assignments
and wrappers (``uv run``, ``poetry run``, ``env``, ``timeout``, ``sudo``...) removed, ``cd``
followed, heredoc bodies kept, and ``cmd || true`` marked as allowed to fail.
:func:`expand_command` follows ``make <target>`` (Makefile recipes) and ``dvc repro`` /
``dvc exp run`` (``dvc.yaml`` stage commands) one level deep.

The API, in short::

    pipelines = ci_pipelines(ctx.index)        # cached per scan
    for step in pipelines.steps():             # CiStep: path, job, line, run, uses, triggers...
        for command in step.commands():        # Command: argv, path, line, cwd, program...
            ...
    pipelines.unreadable                       # ((path, reason), ...) for files that do not parse
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml

from pytest_mlchecklist.repo import RepoIndex

__all__ = [
    "CHANGE_TRIGGERS", "CiJob", "CiPipelines", "CiStep", "CiWorkflow", "Command", "PythonCall", "Schedule",
    "ci_files", "ci_pipelines", "expand_command", "key_line", "makefile_recipes", "parse_ci_yaml", "repo_path",
    "split_commands",
]

#: Triggers that run a pipeline for every change (a push, a pull or merge request).
CHANGE_TRIGGERS = frozenset({"push", "pull_request", "pull_request_target", "merge_group", "merge_request"})

_GITHUB_GLOBS = (".github/workflows/*.yml", ".github/workflows/*.yaml")
_GITLAB_DEFAULT_SOURCES = frozenset({"push", "tag", "schedule", "web", "api", "trigger"})
_GITLAB_RESERVED = frozenset(
    {"stages", "variables", "include", "default", "workflow", "image", "services", "cache", "before_script",
     "after_script", "types", "spec"}
)
_GITLAB_SOURCES = {
    "push": "push", "merge_request_event": "merge_request", "external_pull_request_event": "pull_request",
    "schedule": "schedule", "web": "web", "webide": "web", "api": "api", "trigger": "trigger",
    "pipeline": "pipeline", "parent_pipeline": "pipeline", "chat": "chat",
}
_GITLAB_ONLY_KEYWORDS = {
    "branches": "push", "pushes": "push", "external": "push", "tags": "tag", "merge_requests": "merge_request",
    "schedules": "schedule", "web": "web", "api": "api", "triggers": "trigger", "pipelines": "pipeline",
    "external_pull_requests": "pull_request", "chat": "chat",
}
_SOURCE_EQ = re.compile(r"\$CI_PIPELINE_SOURCE\s*==\s*[\"']([\w-]+)[\"']")
_SOURCE_NE = re.compile(r"\$CI_PIPELINE_SOURCE\s*!=\s*[\"']([\w-]+)[\"']")
_EVENT_EQ = re.compile(r"github\.event_name\s*==\s*[\"']([\w-]+)[\"']")
_EVENT_NE = re.compile(r"github\.event_name\s*!=\s*[\"']([\w-]+)[\"']")
_FALSE_CONDITION = re.compile(r"^\s*(?:\$\{\{\s*)?false(?:\s*\}\})?\s*$")
_ON_FAILURE = re.compile(r"\bfailure\(\)")


# ======================================================================== YAML with line numbers
class _Mapping(dict):  # type: ignore[type-arg]
    """A YAML mapping that remembers where it is: its line, each key's line, each value's first line."""

    def __init__(self) -> None:
        super().__init__()
        self.line = 0
        self.source = ""
        self.key_lines: dict[Any, int] = {}
        self.value_lines: dict[Any, int] = {}


class _Sequence(list):  # type: ignore[type-arg]
    """A YAML sequence that remembers the first line of each item."""

    def __init__(self) -> None:
        super().__init__()
        self.line = 0
        self.source = ""
        self.item_lines: list[int] = []


@dataclass(frozen=True)
class _Reference:
    """GitLab's ``!reference [job, key, ...]``."""

    keys: tuple[str, ...]


class _CiLoader(yaml.SafeLoader):
    """SafeLoader that records line numbers and tolerates GitLab's custom tags."""


def _content_line(node: yaml.Node) -> int:
    """The 1-based line where a value's content starts (the line after ``|``/``>``)."""
    line = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
        line += 1
    return line


def _construct_mapping(loader: _CiLoader, node: yaml.MappingNode) -> Iterator[_Mapping]:
    data = _Mapping()
    data.line = node.start_mark.line + 1
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            continue
        data[key] = loader.construct_object(value_node, deep=False)
        data.key_lines[key] = key_node.start_mark.line + 1
        data.value_lines[key] = _content_line(value_node)


def _construct_sequence(loader: _CiLoader, node: yaml.SequenceNode) -> Iterator[_Sequence]:
    data = _Sequence()
    data.line = node.start_mark.line + 1
    yield data
    for child in node.value:
        data.append(loader.construct_object(child, deep=False))
        data.item_lines.append(_content_line(child))


def _construct_reference(loader: _CiLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.SequenceNode):
        return _Reference(tuple(str(loader.construct_object(child, deep=True)) for child in node.value))
    return None


def _construct_unknown(loader: _CiLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        return _construct_mapping(loader, node)
    if isinstance(node, yaml.SequenceNode):
        return _construct_sequence(loader, node)
    return loader.construct_scalar(node)  # type: ignore[arg-type]


_CiLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_CiLoader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)
_CiLoader.add_constructor("!reference", _construct_reference)
_CiLoader.add_multi_constructor("!", _construct_unknown)


def parse_ci_yaml(text: str, source: str = "") -> list[Any]:
    """The YAML documents of a CI file, with line numbers kept on mappings and sequences.

    Raises :class:`yaml.YAMLError` when the text is not YAML. Mappings are ``dict`` subclasses
    (use :func:`key_line` for the line of a key), sequences ``list`` subclasses.
    """
    documents = [document for document in yaml.load_all(text, Loader=_CiLoader) if document is not None]  # noqa: S506
    for document in documents:
        _stamp(document, source)
    return documents


def _stamp(node: Any, source: str) -> None:
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, (_Mapping, _Sequence)):
            if current.source:
                continue
            current.source = source
            stack.extend(current.values() if isinstance(current, _Mapping) else current)


def key_line(mapping: Any, key: Any) -> int | None:
    """The line of ``key`` in a mapping read by :func:`parse_ci_yaml` (``None`` if unknown)."""
    return mapping.key_lines.get(key) if isinstance(mapping, _Mapping) else None


def _value_line(mapping: Any, key: Any) -> int | None:
    return mapping.value_lines.get(key) if isinstance(mapping, _Mapping) else None


def _source(node: Any, fallback: str) -> str:
    return getattr(node, "source", "") or fallback


# ======================================================================== shell commands
_SEPARATOR = re.compile(r"^[;&|]+$")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_PREFIX_WORDS = frozenset({"if", "then", "else", "elif", "do", "while", "until", "!", "{", "(", "sudo", "time",
                           "exec", "nohup", "command", "xvfb-run"})
_RUNNERS = frozenset({"uv", "poetry", "pipenv", "pdm", "hatch", "rye", "conda", "mamba", "micromamba", "pixi"})
_RUNNER_VALUE_OPTIONS = frozenset({"-n", "--name", "-p", "--prefix", "--with", "--python", "--extra", "--group",
                                   "--package", "-e", "--env", "--environment", "--project", "--directory"})
_PYTHON = re.compile(r"^(?:python(?:\d+(?:\.\d+)?)?|py|pypy3?)$")
_MAKE_VARIABLE_PYTHON = re.compile(r"^\$[({](?:PYTHON|PY|PYTHON3)[)}]$")
_WORKSPACE_PREFIX = re.compile(r"^(?:\$\{\{\s*github\.workspace\s*\}\}|\$\{?GITHUB_WORKSPACE\}?|\$\{?CI_PROJECT_DIR\}?)/?")
_REDIRECT_FD = re.compile(r"\d*>&\d*-?|&>>?")


def repo_path(cwd: str, path: str) -> str:
    """``path`` as written in a command run in ``cwd``, relative to the repository root.

    ``$GITHUB_WORKSPACE/``, ``${{ github.workspace }}/`` and ``$CI_PROJECT_DIR/`` are the root;
    a result outside the repository keeps its leading ``..``; the root itself is ``""``.
    """
    path = path.strip()
    if _WORKSPACE_PREFIX.match(path):
        path, cwd = _WORKSPACE_PREFIX.sub("", path), ""
    if path.startswith("/"):
        return path
    joined = posixpath.normpath(posixpath.join(cwd, path)) if path else posixpath.normpath(cwd or ".")
    return "" if joined == "." else joined


@dataclass(frozen=True)
class PythonCall:
    """What a ``python`` command runs: a module (``-m``), a script path, or inline code (``-c``,
    a heredoc on stdin), with the arguments that follow it."""

    module: str | None = None
    script: str | None = None
    code: str | None = None
    code_line: int | None = None
    arguments: tuple[str, ...] = ()


@dataclass(frozen=True)
class Command:
    """One simple shell command of a CI step, a Makefile recipe or a DVC stage.

    ``argv`` has environment assignments and wrappers removed; ``path``/``line`` say where it
    is written; ``cwd`` is the folder it runs in (relative to the root, ``""`` for the root);
    ``allowed_to_fail`` is true for ``cmd || true`` and the like; ``via`` names what ran it
    when it was reached through :func:`expand_command` (``make evaluate``, ``dvc repro``).
    """

    argv: tuple[str, ...]
    path: str
    line: int | None
    cwd: str = ""
    allowed_to_fail: bool = False
    stdin: str | None = None
    stdin_line: int | None = None
    via: str = ""

    @property
    def program(self) -> str:
        """The program name: ``pytest`` for ``python -m pytest``, else the first word's basename."""
        call = self.python_call()
        if call is not None and call.module:
            return call.module
        return posixpath.basename(self.argv[0]) if self.argv else ""

    @property
    def arguments(self) -> tuple[str, ...]:
        """The words after the program (after ``-m module`` for Python)."""
        call = self.python_call()
        if call is not None and call.module:
            return call.arguments
        return self.argv[1:]

    def python_call(self) -> PythonCall | None:
        """What this command runs when it is a ``python`` command, else ``None``."""
        if not self.argv or not _is_python(self.argv[0]):
            return None
        words = self.argv[1:]
        index = 0
        while index < len(words):
            word = words[index]
            if word == "-m" and index + 1 < len(words):
                return PythonCall(module=words[index + 1], arguments=tuple(words[index + 2 :]))
            if word.startswith("-m") and len(word) > 2:
                return PythonCall(module=word[2:], arguments=tuple(words[index + 1 :]))
            if word == "-c" and index + 1 < len(words):
                return PythonCall(code=words[index + 1], code_line=self.line, arguments=tuple(words[index + 2 :]))
            if word == "-":
                return PythonCall(code=self.stdin, code_line=self.stdin_line, arguments=tuple(words[index + 1 :]))
            if word in ("-X", "-W", "-Q"):
                index += 2
                continue
            if word.startswith("-"):
                index += 1
                continue
            return PythonCall(script=repo_path(self.cwd, word), arguments=tuple(words[index + 1 :]))
        if self.stdin is not None:
            return PythonCall(code=self.stdin, code_line=self.stdin_line)
        return None

    def shown(self, limit: int = 60) -> str:
        """A short rendering of the command for a detail (``python -m pkg.evaluate --check``)."""
        text = " ".join(self.argv)
        return text if len(text) <= limit else text[: limit - 3] + "..."


def _is_python(word: str) -> bool:
    return bool(_PYTHON.match(posixpath.basename(word)) or _MAKE_VARIABLE_PYTHON.match(word))


def _logical_lines(chunks: Sequence[tuple[int | None, str]]) -> list[tuple[int | None, str]]:
    """Physical lines with ``\\``-continued lines joined, each with its first line number."""
    result: list[tuple[int | None, str]] = []
    for start, text in chunks:
        pending: list[str] = []
        pending_line: int | None = None
        for offset, raw in enumerate(text.splitlines() or [""]):
            number = start + offset if start is not None else None
            if not pending:
                pending_line = number
            if raw.rstrip().endswith("\\") and not raw.lstrip().startswith("#"):
                pending.append(raw.rstrip()[:-1])
                continue
            pending.append(raw)
            result.append((pending_line, " ".join(part.strip() for part in pending)))
            pending = []
        if pending:
            result.append((pending_line, " ".join(part.strip() for part in pending)))
    return result


def _tokens(text: str) -> list[str]:
    text = _REDIRECT_FD.sub(" ", text)
    lexer = shlex.shlex(text, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    try:
        return list(lexer)
    except ValueError:  # unbalanced quotes (a string continued on the next line): split plainly
        return text.split(" #", 1)[0].split()


def _segments(tokens: list[str]) -> list[tuple[list[str], str]]:
    segments: list[tuple[list[str], str]] = []
    current: list[str] = []
    for token in tokens:
        if _SEPARATOR.match(token):
            segments.append((current, token))
            current = []
        else:
            current.append(token)
    segments.append((current, ""))
    return [(words, separator) for words, separator in segments if words or separator]


def _strip_prefixes(words: list[str]) -> list[str]:
    """Drop environment assignments, shell keywords and wrappers in front of the real program."""
    words = list(words)
    changed = True
    while words and changed:
        changed = False
        while words and (_ASSIGNMENT.match(words[0]) or words[0] in _PREFIX_WORDS):
            words.pop(0)
            changed = True
        if words and words[0] == "env":
            words.pop(0)
            while words and (words[0].startswith("-") or _ASSIGNMENT.match(words[0])):
                words.pop(0)
            changed = True
        if words and words[0] == "timeout":
            words.pop(0)
            while words and words[0].startswith("-"):
                words.pop(0)
            if words:
                words.pop(0)  # the duration
            changed = True
        if len(words) >= 2 and words[0] in _RUNNERS and words[1] in ("run", "exec"):
            words = words[2:]
            while words and words[0].startswith("-"):
                option = words.pop(0)
                if option in _RUNNER_VALUE_OPTIONS and words:
                    words.pop(0)
            changed = True
    return words


def _neutral(words: list[str]) -> bool:
    """True for what makes ``cmd || <this>`` swallow the failure (``true``, ``:``, ``echo``, ``exit 0``)."""
    words = _strip_prefixes(words)
    if not words:
        return False
    return words[0] in ("true", ":", "echo", "printf") or words[:2] == ["exit", "0"]


def _heredoc_delimiter(tokens: list[str]) -> str | None:
    for index, token in enumerate(tokens):
        if token.startswith("<<") and not token.startswith("<<<"):
            rest = token[2:].lstrip("-").strip("'\"")
            if rest:
                return rest
            if index + 1 < len(tokens):
                return tokens[index + 1].strip("'\"")
    return None


def split_commands(chunks: Sequence[tuple[int | None, str]], *, path: str, cwd: str = "", via: str = "") -> list[Command]:
    """Split shell script text into simple commands (see the module docstring).

    ``chunks`` are ``(first line, text)`` pairs: a whole ``run:`` script with the line it starts
    on, or the items of a GitLab ``script:`` list each with its own line. Lines are ``None``
    when unknown. ``cd`` changes the folder of the commands that follow; the fallback of
    ``a || b`` is not listed (it runs only when ``a`` failed).
    """
    commands: list[Command] = []
    lines = _logical_lines(chunks)
    index = 0
    while index < len(lines):
        number, text = lines[index]
        index += 1
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        segments = _segments(_tokens(stripped))
        heredoc_at = next((position for position, (words, _) in enumerate(segments)
                           if _heredoc_delimiter(words) is not None), None)
        stdin: str | None = None
        stdin_line: int | None = None
        if heredoc_at is not None:
            words = segments[heredoc_at][0]
            delimiter = _heredoc_delimiter(words)
            stdin_line = lines[index][0] if index < len(lines) else None
            body: list[str] = []
            while index < len(lines) and lines[index][1].strip() != delimiter:
                body.append(lines[index][1])
                index += 1
            index += 1  # the delimiter line
            stdin = "\n".join(body)
            kept = [word for word in words if not word.startswith("<<") and word != delimiter]
            segments[heredoc_at] = (kept, segments[heredoc_at][1])
        for position, (words, separator) in enumerate(segments):
            if position > 0 and segments[position - 1][1] == "||":
                continue
            argv = _strip_prefixes(words)
            if not argv:
                continue
            if argv[0] == "cd":
                cwd = repo_path(cwd, argv[1]) if len(argv) > 1 else ""
                continue
            allowed = separator == "||" and position + 1 < len(segments) and _neutral(segments[position + 1][0])
            commands.append(Command(
                argv=tuple(argv), path=path, line=number, cwd=cwd, allowed_to_fail=allowed,
                stdin=stdin if position == heredoc_at else None,
                stdin_line=stdin_line if position == heredoc_at else None, via=via,
            ))
    return commands


# ======================================================================== Makefiles and DVC stages
_MAKE_RULE = re.compile(r"^([A-Za-z0-9_.%/\-$(){} ]+?)\s*::?(?![=])(.*)$")
_MAKEFILE_NAMES = ("GNUmakefile", "makefile", "Makefile")


def makefile_recipes(text: str) -> dict[str, list[tuple[int, str]]]:
    """The recipe lines of each target of a Makefile, with their line numbers.

    A rule is ``target [target...]: prerequisites``; its recipe is the tab-indented lines that
    follow (leading ``@``, ``-`` and ``+`` removed). Variable assignments (``X := y``) end a rule.
    """
    recipes: dict[str, list[tuple[int, str]]] = {}
    current: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw.startswith("\t"):
            body = raw[1:].lstrip().lstrip("@-+").strip()
            if current and body and not body.startswith("#"):
                for target in current:
                    recipes.setdefault(target, []).append((number, body))
            continue
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _MAKE_RULE.match(raw)
        if match and "=" not in match.group(1):
            current = [name for name in match.group(1).split() if name]
            for name in current:
                recipes.setdefault(name, [])
            inline = match.group(2).split(";", 1)
            if len(inline) == 2 and inline[1].strip():
                for target in current:
                    recipes[target].append((number, inline[1].strip()))
        else:
            current = []
    return recipes


def _default_goal(recipes: dict[str, list[tuple[int, str]]]) -> str | None:
    return next((name for name in recipes if not name.startswith(".") and "%" not in name), None)


def expand_command(index: RepoIndex, command: Command) -> list[Command]:
    """The commands that ``make [target...]`` or ``dvc repro`` / ``dvc exp run`` runs.

    ``make``: the recipes of the named targets (or the first target) of ``Makefile`` in the
    command's folder (``-C dir`` and ``-f file`` are read). ``dvc repro [stage...]``: the ``cmd``
    of the named stages (or all stages) of ``dvc.yaml`` in the command's folder. One level deep
    (a recipe that calls ``dvc repro`` is followed once more). Anything else gives ``[]``.
    """
    return _expand(index, command, depth=2)


def _expand(index: RepoIndex, command: Command, depth: int) -> list[Command]:
    if depth <= 0 or not command.argv:
        return []
    program = posixpath.basename(command.argv[0])
    if program in ("make", "gmake") or command.argv[0] in ("$(MAKE)", "${MAKE}"):
        found = _make_commands(index, command)
    elif program == "dvc" and (command.argv[1:2] == ("repro",) or command.argv[1:3] == ("exp", "run")):
        found = _dvc_commands(index, command)
    else:
        return []
    expanded = list(found)
    for inner in found:
        expanded.extend(_expand(index, inner, depth - 1))
    return expanded


def _make_commands(index: RepoIndex, command: Command) -> list[Command]:
    folder = command.cwd
    makefile: str | None = None
    targets: list[str] = []
    words = list(command.argv[1:])
    while words:
        word = words.pop(0)
        if word in ("-C", "--directory") and words:
            folder = repo_path(folder, words.pop(0))
        elif word in ("-f", "--file", "--makefile") and words:
            makefile = words.pop(0)
        elif word.startswith("-") or "=" in word:
            continue
        else:
            targets.append(word)
    if makefile is not None:
        candidates = [repo_path(folder, makefile)]
    else:
        candidates = [repo_path(folder, name) for name in _MAKEFILE_NAMES]
    path = next((candidate for candidate in candidates if candidate in index), None)
    if path is None:
        return []
    text = index.read_text(path)
    if text is None:
        return []
    recipes = makefile_recipes(text)
    if not targets:
        goal = _default_goal(recipes)
        targets = [goal] if goal else []
    found: list[Command] = []
    for target in targets:
        lines = recipes.get(target, [])
        found.extend(split_commands([(line, body) for line, body in lines], path=path, cwd=folder, via=f"make {target}"))
    return found


def _dvc_commands(index: RepoIndex, command: Command) -> list[Command]:
    words = command.argv[2:] if command.argv[1] == "repro" else command.argv[3:]
    targets = [word for word in words if not word.startswith("-")]
    path = repo_path(command.cwd, "dvc.yaml")
    if path not in index:
        return []
    documents = index.yaml_documents(path)
    document = documents[0] if documents else None
    stages = document.get("stages") if isinstance(document, dict) else None
    if not isinstance(stages, dict):
        return []
    wanted = [target.split(":")[-1] for target in targets] or [str(name) for name in stages]
    text = index.read_text(path) or ""
    found: list[Command] = []
    for name in wanted:
        stage = stages.get(name)
        if not isinstance(stage, dict):
            continue
        cmd = stage.get("cmd")
        scripts = [cmd] if isinstance(cmd, str) else [part for part in cmd if isinstance(part, str)] if isinstance(cmd, list) else []
        line = _text_line(text, rf"^\s*{re.escape(name)}\s*:")
        wdir = stage.get("wdir") if isinstance(stage.get("wdir"), str) else ""
        folder = repo_path(posixpath.dirname(path), wdir)
        for script in scripts:
            found.extend(split_commands([(line, script)], path=path, cwd=folder, via=f"dvc repro stage `{name}`"))
    return found


def _text_line(text: str, pattern: str) -> int | None:
    match = re.search(pattern, text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


# ======================================================================== pipelines
@dataclass(frozen=True)
class CiStep:
    """One step of a CI job: a ``run`` script or a ``uses`` action (GitHub), or one of
    ``before_script`` / ``script`` / ``after_script`` (GitLab)."""

    path: str
    job: str
    name: str
    line: int | None
    run: str = ""
    script_lines: tuple[tuple[int | None, str], ...] = ()
    uses: str | None = None
    inputs: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    shell: str | None = None
    if_condition: str | None = None
    working_directory: str = ""
    triggers: frozenset[str] = frozenset()
    manual: bool = False
    allowed_to_fail: bool = False
    on_failure: bool = False

    @property
    def runs_on_change(self) -> bool:
        """True when the step runs, unattended, on pushes or pull/merge requests."""
        return not self.manual and bool(self.triggers & CHANGE_TRIGGERS)

    def commands(self) -> list[Command]:
        """The shell commands of the ``run`` script (none for a ``uses`` step or a Python shell)."""
        if not self.script_lines or (self.shell or "").startswith(("python", "pwsh", "powershell", "cmd")):
            return []
        return split_commands(self.script_lines, path=self.path, cwd=self.working_directory)


@dataclass(frozen=True)
class CiJob:
    """A CI job with its triggers, conditions and steps."""

    path: str
    name: str
    line: int | None
    steps: tuple[CiStep, ...] = ()
    stage: str | None = None
    if_condition: str | None = None
    needs: tuple[str, ...] = ()
    triggers: frozenset[str] = frozenset()
    manual: bool = False
    allowed_to_fail: bool = False
    on_failure: bool = False
    uses: str | None = None

    @property
    def runs_on_change(self) -> bool:
        """True when the job runs, unattended, on pushes or pull/merge requests."""
        return not self.manual and bool(self.triggers & CHANGE_TRIGGERS)


@dataclass(frozen=True)
class Schedule:
    """A cron schedule of a workflow (GitHub ``on.schedule[].cron``)."""

    cron: str
    line: int | None


@dataclass(frozen=True)
class CiWorkflow:
    """One GitHub Actions workflow file, or one GitLab pipeline (its root file and includes)."""

    path: str
    kind: Literal["github", "gitlab"]
    name: str
    triggers: frozenset[str]
    schedules: tuple[Schedule, ...] = ()
    jobs: tuple[CiJob, ...] = ()
    includes: tuple[str, ...] = ()


@dataclass(frozen=True)
class CiPipelines:
    """Every CI workflow of the repository, and the CI files that could not be read."""

    workflows: tuple[CiWorkflow, ...] = ()
    unreadable: tuple[tuple[str, str], ...] = ()

    def jobs(self) -> Iterator[CiJob]:
        """Every job of every workflow, in file order."""
        for workflow in self.workflows:
            yield from workflow.jobs

    def steps(self) -> Iterator[CiStep]:
        """Every step of every job, in file order."""
        for job in self.jobs():
            yield from job.steps


def ci_pipelines(index: RepoIndex) -> CiPipelines:
    """The CI pipelines of the repository, parsed once per scan (see the module docstring)."""
    return index.memo(("ci-pipelines",), lambda: _load(index))


def ci_files(index: RepoIndex) -> list[str]:
    """The GitHub workflow files and GitLab CI root files of the repository."""
    github = index.glob(*_GITHUB_GLOBS)
    gitlab = [
        path for path in index.files
        if path.rsplit("/", 1)[-1].endswith(".gitlab-ci.yml") and not index.is_non_evidence(path)
    ]
    return sorted({*github, *gitlab})


def _load(index: RepoIndex) -> CiPipelines:
    problems: list[tuple[str, str]] = []
    github_raw: list[tuple[str, dict[str, Any]]] = []
    for path in index.glob(*_GITHUB_GLOBS):
        document = _read_document(index, path, problems)
        if isinstance(document, dict) and isinstance(document.get("jobs"), dict):
            github_raw.append((path, document))
    workflows = _github_workflows(github_raw)
    roots = sorted(path for path in ci_files(index) if path.endswith(".gitlab-ci.yml"))
    loaded: dict[str, tuple[dict[str, Any], tuple[str, ...]]] = {}
    included: set[str] = set()
    for path in roots:
        merged = _gitlab_merged(index, path, problems, (path,))
        if merged is not None:
            loaded[path] = merged
            included.update(merged[1])
    for path in roots:
        if path in loaded and (path == ".gitlab-ci.yml" or path not in included):
            workflows.append(_gitlab_workflow(path, *loaded[path]))
    return CiPipelines(workflows=tuple(workflows), unreadable=tuple(problems))


def _read_document(index: RepoIndex, path: str, problems: list[tuple[str, str]]) -> Any:
    text = index.read_text(path)
    if text is None:
        problems.append((path, index.problem(path) or "could not be read"))
        return None
    try:
        documents = parse_ci_yaml(text, path)
    except Exception as exc:  # noqa: BLE001 - any parser error means: could not read this pipeline
        problems.append((path, f"could not be parsed as YAML: {' '.join(str(exc).split())[:150]}"))
        return None
    return documents[0] if documents else None


# ------------------------------------------------------------------------ GitHub Actions
def _github_on(document: dict[str, Any]) -> tuple[set[str], list[Schedule]]:
    on = document["on"] if "on" in document else document.get(True)
    triggers: set[str] = set()
    schedules: list[Schedule] = []
    if isinstance(on, str):
        triggers.add(on)
    elif isinstance(on, list):
        triggers.update(str(event) for event in on if isinstance(event, str))
    elif isinstance(on, dict):
        triggers.update(str(event) for event in on)
        entries = on.get("schedule")
        for position, entry in enumerate(entries if isinstance(entries, list) else []):
            if isinstance(entry, dict) and isinstance(entry.get("cron"), str) and entry["cron"].strip():
                line = key_line(entry, "cron") or (entries.item_lines[position] if isinstance(entries, _Sequence) else None)
                schedules.append(Schedule(cron=entry["cron"].strip(), line=line))
    return triggers, schedules


def _narrow(triggers: frozenset[str], condition: Any) -> frozenset[str]:
    """Triggers left by a GitHub ``if`` (event names compared with ``github.event_name``)."""
    if condition is False or (isinstance(condition, str) and _FALSE_CONDITION.match(condition)):
        return frozenset()
    if not isinstance(condition, str):
        return triggers
    equal = set(_EVENT_EQ.findall(condition))
    if equal:
        triggers = triggers & frozenset(equal)
    unequal = set(_EVENT_NE.findall(condition))
    if unequal and "||" not in condition:
        triggers = triggers - frozenset(unequal)
    return triggers


def _working_directory(mapping: Any) -> str | None:
    defaults = mapping.get("defaults") if isinstance(mapping, dict) else None
    run = defaults.get("run") if isinstance(defaults, dict) else None
    folder = run.get("working-directory") if isinstance(run, dict) else None
    return folder if isinstance(folder, str) else None


def _local_workflow(uses: Any) -> str | None:
    if not isinstance(uses, str) or not uses.startswith("./.github/workflows/"):
        return None
    return uses[2:].split("@", 1)[0]


def _github_workflows(raw: list[tuple[str, dict[str, Any]]]) -> list[CiWorkflow]:
    own: dict[str, tuple[set[str], list[Schedule]]] = {path: _github_on(document) for path, document in raw}
    inherited: dict[str, set[str]] = {path: set() for path, _ in raw}
    for _ in range(3):  # reusable workflows calling reusable workflows, a few levels
        for path, document in raw:
            effective = _effective(own[path][0], inherited[path])
            for job in document["jobs"].values():
                callee = _local_workflow(job.get("uses")) if isinstance(job, dict) else None
                if callee in inherited:
                    inherited[callee].update(_narrow(frozenset(effective), job.get("if")))
    workflows = []
    for path, document in raw:
        triggers = frozenset(_effective(own[path][0], inherited[path]))
        name = document.get("name") if isinstance(document.get("name"), str) else path.rsplit("/", 1)[-1]
        jobs = tuple(_github_job(path, str(job_name), job, document, triggers)
                     for job_name, job in document["jobs"].items() if isinstance(job, dict))
        workflows.append(CiWorkflow(path=path, kind="github", name=name, triggers=triggers,
                                    schedules=tuple(own[path][1]), jobs=jobs))
    return workflows


def _effective(own: set[str], inherited: set[str]) -> set[str]:
    return (own - {"workflow_call"}) | inherited if "workflow_call" in own else set(own)


def _github_job(path: str, name: str, job: dict[str, Any], document: dict[str, Any], triggers: frozenset[str]) -> CiJob:
    condition = job.get("if")
    job_triggers = _narrow(triggers, condition)
    job_failure = isinstance(condition, str) and bool(_ON_FAILURE.search(condition))
    job_allowed = job.get("continue-on-error") is True
    folder = _working_directory(job) or _working_directory(document) or ""
    needs = job.get("needs")
    steps: list[CiStep] = []
    entries = job.get("steps")
    for position, step in enumerate(entries if isinstance(entries, list) else []):
        if not isinstance(step, dict):
            continue
        step_if = step.get("if")
        run = step.get("run") if isinstance(step.get("run"), str) else ""
        run_line = _value_line(step, "run")
        line = entries.item_lines[position] if isinstance(entries, _Sequence) else None
        step_folder = step.get("working-directory") if isinstance(step.get("working-directory"), str) else folder
        label = step.get("name") if isinstance(step.get("name"), str) else (step.get("id") or "")
        inputs = step.get("with") if isinstance(step.get("with"), dict) else {}
        steps.append(CiStep(
            path=path, job=name, name=str(label), line=line, run=run,
            script_lines=((run_line, run),) if run else (),
            uses=step.get("uses") if isinstance(step.get("uses"), str) else None,
            inputs=dict(inputs), shell=step.get("shell") if isinstance(step.get("shell"), str) else None,
            if_condition=step_if if isinstance(step_if, str) else None,
            working_directory=repo_path("", step_folder) if step_folder else "",
            triggers=_narrow(job_triggers, step_if),
            allowed_to_fail=job_allowed or step.get("continue-on-error") is True,
            on_failure=job_failure or (isinstance(step_if, str) and bool(_ON_FAILURE.search(step_if))),
        ))
    return CiJob(
        path=path, name=name, line=key_line(document["jobs"], name), steps=tuple(steps),
        if_condition=condition if isinstance(condition, str) else None,
        needs=tuple(str(need) for need in needs) if isinstance(needs, list) else (str(needs),) if isinstance(needs, str) else (),
        triggers=job_triggers, allowed_to_fail=job_allowed, on_failure=job_failure,
        uses=job.get("uses") if isinstance(job.get("uses"), str) else None,
    )


# ------------------------------------------------------------------------ GitLab CI
def _gitlab_include_paths(index: RepoIndex, value: Any) -> list[str]:
    entries = value if isinstance(value, list) else [value]
    found: list[str] = []
    for entry in entries:
        local = None
        if isinstance(entry, str) and not entry.startswith(("http://", "https://")):
            local = entry
        elif isinstance(entry, dict) and isinstance(entry.get("local"), str):
            local = entry["local"]
        if local is None:
            continue
        local = local.strip().lstrip("/")
        if any(char in local for char in "*?["):
            found.extend(index.glob(local))
        elif local in index:
            found.append(local)
    return found


def _merge(base: Any, override: Any) -> Any:
    """GitLab's deep merge of hashes: ``override`` wins, nested mappings are merged."""
    if not (isinstance(base, dict) and isinstance(override, dict)):
        return override
    result = _Mapping()
    for source in (base, override):
        if isinstance(source, _Mapping):
            result.line = source.line
            result.source = source.source
            result.key_lines.update(source.key_lines)
            result.value_lines.update(source.value_lines)
    for key, value in base.items():
        result[key] = value
    for key, value in override.items():
        result[key] = _merge(base[key], value) if key in base else value
        if isinstance(override, _Mapping) and key in override.key_lines:
            result.key_lines[key] = override.key_lines[key]
            result.value_lines[key] = override.value_lines[key]
    return result


def _gitlab_merged(
    index: RepoIndex, path: str, problems: list[tuple[str, str]], chain: tuple[str, ...]
) -> tuple[dict[str, Any], tuple[str, ...]] | None:
    document = _read_document(index, path, problems)
    if document is None:
        return None
    if not isinstance(document, dict):
        return _Mapping(), ()
    merged: Any = _Mapping()
    includes: list[str] = []
    for include in _gitlab_include_paths(index, document.get("include")):
        if include in chain or len(chain) > 5:
            continue
        inner = _gitlab_merged(index, include, problems, (*chain, include))
        if inner is not None:
            merged = _merge(merged, inner[0])
            includes.extend([include, *inner[1]])
    merged = _merge(merged, document)
    return merged, tuple(dict.fromkeys(includes))


def _resolve_extends(name: str, document: dict[str, Any], depth: int = 0) -> Any:
    job = document.get(name)
    if not isinstance(job, dict) or depth > 10:
        return job
    parents = job.get("extends")
    names = [parents] if isinstance(parents, str) else [p for p in parents if isinstance(p, str)] if isinstance(parents, list) else []
    base: Any = _Mapping()
    for parent in names:
        resolved = _resolve_extends(parent, document, depth + 1)
        if isinstance(resolved, dict):
            base = _merge(base, resolved)
    return _merge(base, job) if names else job


def _resolve_reference(reference: _Reference, document: dict[str, Any]) -> Any:
    node: Any = document
    for key in reference.keys:
        node = node.get(key) if isinstance(node, dict) else None
    return node


def _script_lines(value: Any, mapping: Any, key: str, document: dict[str, Any]) -> list[tuple[int | None, str]]:
    if isinstance(value, _Reference):
        value = _resolve_reference(value, document)
    if isinstance(value, str):
        return [(_value_line(mapping, key), value)] if value.strip() else []
    if not isinstance(value, list):
        return []
    lines: list[tuple[int | None, str]] = []
    item_lines = value.item_lines if isinstance(value, _Sequence) else []
    for position, item in enumerate(value):
        if isinstance(item, _Reference):
            item = _resolve_reference(item, document)
        if isinstance(item, str):
            lines.append((item_lines[position] if position < len(item_lines) else None, item))
        elif isinstance(item, list):
            inner_lines = item.item_lines if isinstance(item, _Sequence) else []
            lines.extend((inner_lines[i] if i < len(inner_lines) else None, part)
                         for i, part in enumerate(item) if isinstance(part, str))
    return lines


def _sources_of(condition: Any) -> set[str]:
    """Pipeline sources a GitLab rule ``if`` admits."""
    if not isinstance(condition, str):
        return set(_GITLAB_DEFAULT_SOURCES)
    equal = {_GITLAB_SOURCES.get(source, source) for source in _SOURCE_EQ.findall(condition)}
    if equal:
        return equal
    unequal = {_GITLAB_SOURCES.get(source, source) for source in _SOURCE_NE.findall(condition)}
    if unequal:
        return set(_GITLAB_DEFAULT_SOURCES | {"merge_request"}) - unequal
    if "$CI_MERGE_REQUEST_" in condition:
        return {"merge_request"}
    if "$CI_COMMIT_TAG" in condition and "$CI_COMMIT_BRANCH" not in condition:
        return {"tag"}
    return set(_GITLAB_DEFAULT_SOURCES)


@dataclass
class _RuleOutcome:
    sources: set[str]
    manual: bool = False
    on_failure: bool = False
    never: bool = False


def _gitlab_rules(rules: Any, document: dict[str, Any]) -> _RuleOutcome:
    excluded: set[str] = set()
    sources: set[str] = set()
    whens: list[str] = []
    expanded: list[Any] = []
    for rule in rules if isinstance(rules, list) else []:
        resolved = _resolve_reference(rule, document) if isinstance(rule, _Reference) else rule
        expanded.extend(resolved if isinstance(resolved, list) else [resolved])
    for rule in expanded:
        if not isinstance(rule, dict):
            continue
        when = rule.get("when", "on_success")
        condition = rule.get("if")
        if when == "never":
            if isinstance(condition, str) and _SOURCE_EQ.search(condition):
                excluded |= _sources_of(condition)
            elif condition is None:
                break  # an unconditional `when: never` ends the rules
            continue
        sources |= _sources_of(condition) - excluded
        whens.append(str(when))
    if not whens:
        return _RuleOutcome(sources=set(), never=True)
    return _RuleOutcome(sources=sources, manual=all(when == "manual" for when in whens),
                        on_failure=all(when == "on_failure" for when in whens))


def _gitlab_only(value: Any) -> set[str] | None:
    refs = value.get("refs") if isinstance(value, dict) else value
    if isinstance(refs, str):
        refs = [refs]
    if not isinstance(refs, list):
        return None
    sources: set[str] = set()
    for ref in refs:
        if isinstance(ref, str):
            sources.add(_GITLAB_ONLY_KEYWORDS.get(ref, "push"))
    return sources


def _gitlab_except(value: Any) -> set[str]:
    refs = value.get("refs") if isinstance(value, dict) else value
    if isinstance(refs, str):
        refs = [refs]
    return {_GITLAB_ONLY_KEYWORDS[ref] for ref in refs if isinstance(ref, str) and ref in _GITLAB_ONLY_KEYWORDS} \
        if isinstance(refs, list) else set()


def _gitlab_workflow(path: str, document: dict[str, Any], includes: tuple[str, ...]) -> CiWorkflow:
    workflow = document.get("workflow")
    allowed: set[str] | None = None
    if isinstance(workflow, dict) and isinstance(workflow.get("rules"), list):
        outcome = _gitlab_rules(workflow["rules"], document)
        allowed = outcome.sources
    default = document.get("default") if isinstance(document.get("default"), dict) else {}
    jobs: list[CiJob] = []
    for name in document:
        if not isinstance(name, str) or name.startswith(".") or name in _GITLAB_RESERVED:
            continue
        job = _resolve_extends(name, document)
        if not isinstance(job, dict):
            continue
        built = _gitlab_job(path, name, job, document, default, allowed)
        if built is not None:
            jobs.append(built)
    triggers = frozenset().union(*(job.triggers for job in jobs)) if jobs else frozenset(allowed or ())
    return CiWorkflow(path=path, kind="gitlab", name=path, triggers=triggers, jobs=tuple(jobs), includes=includes)


def _gitlab_job(
    path: str, name: str, job: dict[str, Any], document: dict[str, Any], default: dict[str, Any], allowed: set[str] | None
) -> CiJob | None:
    when = job.get("when", "on_success")
    if when == "never":
        return None
    manual = when == "manual"
    on_failure = when == "on_failure"
    if "rules" in job:
        outcome = _gitlab_rules(job["rules"], document)
        if outcome.never:
            return None
        sources = outcome.sources
        manual = manual or outcome.manual
        on_failure = on_failure or outcome.on_failure
    elif "only" in job:
        sources = _gitlab_only(job["only"]) or set(_GITLAB_DEFAULT_SOURCES)
    else:
        sources = set(_GITLAB_DEFAULT_SOURCES)
    if "except" in job:
        sources -= _gitlab_except(job["except"])
    if allowed is not None:
        sources &= allowed
    triggers = frozenset(sources)
    allowed_to_fail = bool(job.get("allow_failure")) and job.get("allow_failure") is not False
    inherit = job.get("inherit")
    inherit_default = not (isinstance(inherit, dict) and inherit.get("default") is False)
    job_path = _source(job, path)
    steps: list[CiStep] = []
    for key in ("before_script", "script", "after_script"):
        holder: Any = job
        value = job.get(key)
        if value is None and inherit_default:
            holder = default if key in default else document
            value = holder.get(key)
        lines = _script_lines(value, holder, key, document)
        if not lines:
            continue
        steps.append(CiStep(
            path=_source(value, _source(holder, job_path)) if isinstance(value, list) else _source(holder, job_path),
            job=name, name=key, line=lines[0][0], run="\n".join(text for _, text in lines),
            script_lines=tuple(lines), triggers=triggers, manual=manual,
            allowed_to_fail=allowed_to_fail or key == "after_script", on_failure=on_failure,
        ))
    needs = job.get("needs")
    return CiJob(
        path=job_path, name=name, line=key_line(document, name),
        steps=tuple(steps), stage=job.get("stage") if isinstance(job.get("stage"), str) else None,
        needs=tuple(str(need.get("job") if isinstance(need, dict) else need) for need in needs) if isinstance(needs, list) else (),
        triggers=triggers, manual=manual, allowed_to_fail=allowed_to_fail, on_failure=on_failure,
    )
