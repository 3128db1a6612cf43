"""Monitoring and alerting detectors. Item 40 (on-call): someone responds to production ML
alerts at all times, and the repository says who.

Three detectors, each deciding from content:

``on-call-document`` reads Markdown documents (not vendored, not changelogs, not the community
files SECURITY / CODE_OF_CONDUCT / CONTRIBUTING / SUPPORT, whose contacts are for something
else) and ``CODEOWNERS`` (``./``, ``.github/``, ``.gitlab/``, ``docs/``). A section whose
heading is about being on call (on-call, oncall, on call, pager, paging, escalation, with the
sections nested under it) must name who responds: an ``@handle`` (``@here``/``@channel`` and
placeholders do not count), an e-mail address (not ``example.com``), a roster table (a column
headed primary / secondary / who / engineer / name... with at least one filled row), or a link
to a PagerDuty, Opsgenie, Grafana OnCall, Splunk On-Call or incident.io schedule.

* a section that names someone: ``supports``;
* a section that says the code owners respond (mentions CODEOWNERS / code owners) when a
  CODEOWNERS file names owners: ``supports``;
* a section that is only a placeholder (TODO, TBD) or generic prose ("the team is on call"):
  ``partial``, it names nobody;
* a "Rotation" / "Rota" heading without on-call words counts only when it names someone (key,
  secret, log and image rotations are not rotas), never as a partial;
* a CODEOWNERS file with owner lines and no on-call section: ``partial`` (owners of code are
  not a rotation).

``on-call-schedule`` parses YAML and JSON rotation configs: files named for on-call, PagerDuty,
Opsgenie, escalation or a rota, and other YAML/JSON files that mention rotations. A schedule,
rotation, layers, shifts, on-call or escalation structure holding a non-empty list of members /
users / participants / responders: ``supports``; only empty lists: ``partial``; a file named for
on-call with no such structure: ``partial``.

``on-call-terraform`` reads Terraform with the small block reader of :mod:`.terraform` (there is no HCL
dependency): ``pagerduty_schedule`` (``users = [...]`` in its layers),
``pagerduty_escalation_policy`` (``target {}`` blocks), ``opsgenie_schedule_rotation``
(``participant {}`` blocks, not of type ``none``), ``opsgenie_escalation`` (``recipient {}``
blocks) and ``grafana_oncall_on_call_shift`` (``users`` / ``rolling_users``). A block that lists
people: ``supports``; an empty list or no people: ``partial``; people given only through an
expression (``var.x``, a ``dynamic`` block) cannot be resolved statically: ``partial``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pytest_mlchecklist.detectors.base import Detector, DetectorContext, detector, iter_nodes
from pytest_mlchecklist.detectors.runbooks import plain_title
from pytest_mlchecklist.detectors.terraform import HclBlock, HclError, hcl_blocks, matching_bracket
from pytest_mlchecklist.evidence import Evidence
from pytest_mlchecklist.markdown import MarkdownDocument, MarkdownSection, is_substantive

ITEM = "on-call"

# ---------------------------------------------------------------------- who is named
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})\b")
_HANDLE = re.compile(r"(?<![\w.@/+-])@([A-Za-z][A-Za-z0-9_-]*(?:/[A-Za-z0-9][A-Za-z0-9_.-]*)?)")
_PLACEHOLDER_NAMES = frozenset(
    {"here", "channel", "everyone", "someone", "somebody", "username", "user", "your-team", "yourteam",
     "team-name", "handle", "name", "tbd", "todo", "tba", "xxx", "owner", "your-handle"}
)
_PLACEHOLDER_DOMAINS = re.compile(r"(?:^|\.)(?:example\.(?:com|org|net)|domain\.com|email\.com)$", re.IGNORECASE)
_SCHEDULE_LINKS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("PagerDuty", re.compile(r"https?://(?P<sub>[\w-]+)\.pagerduty\.com/(?:schedules|escalation_policies|teams|oncalls)\b", re.IGNORECASE)),
    ("Opsgenie", re.compile(r"https?://(?P<sub>[\w-]+)\.app(?:\.eu)?\.opsgenie\.com/[^\s)>\]]*(?:schedule|teams|escalation|rotation)", re.IGNORECASE)),
    ("Grafana OnCall", re.compile(r"https?://(?P<sub>[\w-]+)[\w.-]*/a/grafana-oncall-app/(?:schedules|escalations|escalation-chains|users)\b", re.IGNORECASE)),
    ("Splunk On-Call", re.compile(r"https?://(?P<sub>portal)\.victorops\.com/[^\s)>\]]*(?:schedule|rotation|team)", re.IGNORECASE)),
    ("incident.io", re.compile(r"https?://(?P<sub>app)\.incident\.io/[^\s)>\]]*on-call", re.IGNORECASE)),
)
_PLACEHOLDER_SUBDOMAINS = re.compile(r"^(?:example|your[\w-]*|company|my-?company|org)$", re.IGNORECASE)


@dataclass
class Responders:
    """Who a piece of text names as responding: handles, e-mail addresses, roster rows and
    links to on-call schedules (counts only; names never go into a detail)."""

    handles: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)
    roster_rows: int = 0
    schedules: set[str] = field(default_factory=set)

    def any(self) -> bool:
        """True when someone is named."""
        return bool(self.handles or self.emails or self.roster_rows or self.schedules)

    def add_text(self, text: str) -> None:
        """Collect the handles, e-mail addresses and schedule links of one line of prose."""
        for service, pattern in _SCHEDULE_LINKS:
            for match in pattern.finditer(text):
                if not _PLACEHOLDER_SUBDOMAINS.match(match.group("sub")):
                    self.schedules.add(service)
        without_emails = text
        for match in _EMAIL.finditer(text):
            if not _PLACEHOLDER_DOMAINS.search(match.group(1)):
                self.emails.add(match.group(0).lower())
            without_emails = without_emails.replace(match.group(0), " ")
        for match in _HANDLE.finditer(without_emails):
            if _is_real_name(match.group(1)):
                self.handles.add(match.group(1).lower())

    def describe(self) -> str:
        """``2 handles, a PagerDuty schedule link`` (counts and services only)."""
        parts: list[str] = []
        if self.handles:
            parts.append(_count(len(self.handles), "handle"))
        if self.emails:
            parts.append(_count(len(self.emails), "e-mail address", "e-mail addresses"))
        if self.roster_rows:
            parts.append(_count(self.roster_rows, "roster row"))
        for service in sorted(self.schedules):
            parts.append(f"a {service} schedule link")
        return ", ".join(parts)


def _is_real_name(name: str) -> bool:
    last = name.rsplit("/", 1)[-1].lower()
    return name.lower() not in _PLACEHOLDER_NAMES and last not in _PLACEHOLDER_NAMES and is_substantive(last)


def _count(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number} {singular if number == 1 else (plural or singular + 's')}"


# ---------------------------------------------------------------------- Markdown on-call sections
_ON_CALL_HEADING = re.compile(r"\bon[\s_-]?call\b|\bpag(?:er|ing)|escalat", re.IGNORECASE)
_ROTA_HEADING = re.compile(r"\brotas?\b|\brotations?\b", re.IGNORECASE)
_NOT_ON_CALL_HEADING = re.compile(
    r"privilege|\bkeys?\b|secret|credential|certificat|\bcerts?\b|token|password|\blogs?\b|image|augment|random|\bdata\b",
    re.IGNORECASE,
)
_ANY_ON_CALL_HEADING = re.compile(f"{_ON_CALL_HEADING.pattern}|{_ROTA_HEADING.pattern}", re.IGNORECASE)
_CODEOWNERS_MENTION = re.compile(r"codeowners|code[\s-]owners", re.IGNORECASE)
_ROLE_HEADER = re.compile(
    r"\bwho\b|primary|secondary|on[\s_-]?call|engineer|responder|person|people|\bnames?\b|owner|backup|shadow|member|contact|\blead\b|commander",
    re.IGNORECASE,
)
_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_DATE_ONLY = re.compile(r"^\s*\d{4}-\d{2}-\d{2}\s*$")
_SKIPPED_DOCUMENT = re.compile(
    r"^(?:change[s_-]?log\w*|changes|history|news|release[s_-]?notes|security|code[_-]of[_-]conduct|contributing|support)"
    r"\.(?:md|markdown)$",
    re.IGNORECASE,
)
_ON_CALL_PATH = re.compile(r"on[\s_-]?call|\brota|pager|escalat|runbook|playbook|(?:^|/)ops/|incident", re.IGNORECASE)
_CODEOWNERS_PATHS = ("CODEOWNERS", ".github/CODEOWNERS", ".gitlab/CODEOWNERS", "docs/CODEOWNERS")
_GITLAB_SECTION = re.compile(r"^\^?\[[^\]]*\](?:\[\d+\])?\s*(.*)$")


def _split_row(line: str) -> list[str]:
    """The cells of a Markdown table row (``| a | b |``), escaped pipes kept inside cells."""
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", body)]


def _roster_rows(section: MarkdownSection, raw_lines: list[str], end: int) -> int:
    """Rows of the section's tables that fill a column about people (primary, who, engineer...).

    The Markdown model gives the lines of table cells (code blocks excluded); the cells are read
    from those raw lines, so that empty cells keep their column.
    """
    if not section.tables:
        return 0
    prose_lines = {line for line, _ in section.paragraphs}
    rows = 0
    number = section.line + 1
    while number < end:
        is_header = (
            number in prose_lines and number < len(raw_lines) and _TABLE_SEPARATOR.match(raw_lines[number])
        )
        if not is_header:
            number += 1
            continue
        header = _split_row(raw_lines[number - 1])
        role_columns = [index for index, title in enumerate(header) if _ROLE_HEADER.search(title)]
        number += 2
        while number < end and number in prose_lines:
            cells = _split_row(raw_lines[number - 1])
            if any(
                index < len(cells) and is_substantive(cells[index]) and not _DATE_ONLY.match(cells[index])
                and cells[index].strip("@").lower() not in _PLACEHOLDER_NAMES
                for index in role_columns
            ):
                rows += 1
            number += 1
    return rows


def _section_end(document: MarkdownDocument, section: MarkdownSection) -> int:
    position = document.sections.index(section) + 1
    return document.sections[position].line if position < len(document.sections) else 10**9


def _responders(document: MarkdownDocument, heading: MarkdownSection, raw_lines: list[str]) -> Responders:
    found = Responders()
    for section in document.subtree(heading):
        for _, text in section.text_lines():
            found.add_text(text)
        end = min(_section_end(document, section), len(raw_lines) + 1)
        found.roster_rows += _roster_rows(section, raw_lines, end)
    return found


def _top_level(document: MarkdownDocument, pattern: re.Pattern[str]) -> list[MarkdownSection]:
    chosen: list[MarkdownSection] = []
    covered: set[int] = set()
    for section in document.sections:
        title = plain_title(section.title)
        if id(section) in covered or not pattern.search(title) or _NOT_ON_CALL_HEADING.search(title):
            continue
        chosen.append(section)
        covered.update(id(nested) for nested in document.subtree(section))
    return chosen


def _defers_to_codeowners(document: MarkdownDocument, heading: MarkdownSection) -> bool:
    return any(
        _CODEOWNERS_MENTION.search(text) for section in document.subtree(heading) for _, text in section.text_lines()
    )


@dataclass(frozen=True)
class _CodeOwners:
    """A CODEOWNERS file and how many of its rules name at least one owner."""

    path: str
    rules: int
    owners: int


def codeowners_rules(text: str) -> list[tuple[int, list[str]]]:
    """The rules of a CODEOWNERS file that name owners: ``(line, owners)`` pairs.

    Comments and blank lines are skipped; GitLab section headers (``[Section] @owner``) give
    their default owners; owners are ``@user``, ``@org/team`` or e-mail addresses.
    """
    rules: list[tuple[int, list[str]]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        section = _GITLAB_SECTION.match(line)
        if section is not None:
            tokens = section.group(1).split()
        else:
            tokens = re.split(r"(?<!\\)\s+", line)[1:]
        owners: list[str] = []
        for token in tokens:
            if token.startswith("#"):
                break
            handle = _HANDLE.fullmatch(token)
            if handle is not None and _is_real_name(handle.group(1)):
                owners.append(token.lower())
            elif _EMAIL.fullmatch(token) and not _PLACEHOLDER_DOMAINS.search(token.rsplit("@", 1)[-1]):
                owners.append(token.lower())
        if owners:
            rules.append((number, owners))
    return rules


def _codeowners(ctx: DetectorContext) -> Iterator[_CodeOwners | Evidence]:
    for path in _CODEOWNERS_PATHS:
        if path not in ctx.index:
            continue
        text = ctx.index.read_text(path)
        if text is None:
            yield ctx.unreadable(ITEM, path)
            continue
        rules = codeowners_rules(text)
        if rules:
            yield _CodeOwners(path, len(rules), len({owner for _, owners in rules for owner in owners}))


def _markdown_paths(ctx: DetectorContext) -> list[str]:
    found = [
        path for path in ctx.index.with_suffix(".md", ".markdown")
        if not _SKIPPED_DOCUMENT.match(path.rsplit("/", 1)[-1])
    ]
    declared = [path for path in ctx.declared(ITEM) if path.lower().endswith((".md", ".markdown", ".txt"))]
    return ctx.candidates(ITEM, [*found, *declared])


def _judge_section(
    ctx: DetectorContext, path: str, document: MarkdownDocument, heading: MarkdownSection, raw_lines: list[str],
    codeowners: list[_CodeOwners],
) -> Evidence | None:
    found = _responders(document, heading, raw_lines)
    if found.any():
        return ctx.supports(ITEM, f"on-call section names who responds ({found.describe()})", path=path, line=heading.line)
    if not _ON_CALL_HEADING.search(plain_title(heading.title)):
        return None  # a bare "Rotation" heading is only evidence when it names people
    if _defers_to_codeowners(document, heading):
        if codeowners:
            owners = codeowners[0]
            return ctx.supports(
                ITEM, f"on-call section hands alerts to the code owners; {owners.path} names {_count(owners.owners, 'owner')}",
                path=path, line=heading.line,
            )
        return ctx.partial(ITEM, "on-call section refers to CODEOWNERS but there is no CODEOWNERS file naming owners",
                           path=path, line=heading.line)
    if all(section.is_empty() for section in document.subtree(heading)):
        return ctx.partial(ITEM, "on-call section is a placeholder and names nobody; say who responds "
                           "(@handles, a roster table or a schedule link)", path=path, line=heading.line)
    return ctx.partial(ITEM, "on-call section names nobody: no @handle, e-mail, roster table or schedule link",
                       path=path, line=heading.line)


@detector(
    name="on-call-document",
    items=(ITEM,),
    looks_for="an on-call / escalation section in a Markdown runbook naming who responds (@handles, a roster "
    "table, a PagerDuty/Opsgenie/Grafana OnCall schedule link), or one deferring to a CODEOWNERS file",
)
def on_call_document(ctx: DetectorContext) -> Iterator[Evidence]:
    """On-call sections in Markdown documents, and CODEOWNERS files."""
    codeowners: list[_CodeOwners] = []
    for found in _codeowners(ctx):
        if isinstance(found, Evidence):
            yield found
        else:
            codeowners.append(found)
    declared = set(ctx.declared(ITEM))
    sections_found = False
    for path in _markdown_paths(ctx):
        text = ctx.index.read_text(path)
        if text is None:
            if path in declared or _ON_CALL_PATH.search(path):
                yield ctx.unreadable(ITEM, path)
            continue
        if not _ANY_ON_CALL_HEADING.search(text):
            continue  # no heading can be about on-call: not worth parsing
        document = ctx.index.markdown(path)
        if document is None:
            yield ctx.unreadable(ITEM, path)
            continue
        raw_lines = text.splitlines()
        for heading in _top_level(document, _ANY_ON_CALL_HEADING):
            evidence = _judge_section(ctx, path, document, heading, raw_lines, codeowners)
            if evidence is not None:
                sections_found = True
                yield evidence
    if codeowners and not sections_found:
        owners = codeowners[0]
        yield ctx.partial(ITEM, f"CODEOWNERS names code owners ({_count(owners.rules, 'rule')}) but no on-call rotation; "
                          "add an on-call section naming who responds", path=owners.path)


# ---------------------------------------------------------------------- YAML / JSON rotation configs
_STRUCTURED_SUFFIXES = (".yaml", ".yml", ".json")
_ON_CALL_FILE = re.compile(r"on[-_]?call|pagerduty|opsgenie|escalation|grafana[-_]?oncall|\brotas?\b", re.IGNORECASE)
_ON_CALL_WORDS = re.compile(r"rotation|oncall|on[_-]call|schedule_layers|participants|escalation|\brota\b", re.IGNORECASE)
_OWN_CONFIG = frozenset({"mlchecklist.yaml", "mlchecklist.yml"})
_CONTAINER_KEYS = frozenset(
    {"schedule", "schedules", "schedule_layers", "layers", "rotation", "rotations", "rota", "oncall", "on_call",
     "on-call", "shifts", "escalation", "escalations", "escalation_policy", "escalation_policies", "escalation_rules"}
)
_MEMBER_KEYS = frozenset(
    {"members", "users", "participants", "responders", "rolling_users", "people", "engineers", "user_ids", "usernames"}
)


def _member_count(members: list[Any]) -> int:
    """Entries of a member list that name someone (strings, non-empty mappings, nested lists)."""
    count = 0
    for entry in members:
        if isinstance(entry, str):
            count += int(is_substantive(entry) and entry.strip().lstrip("@").lower() not in _PLACEHOLDER_NAMES)
        elif isinstance(entry, list):
            count += _member_count(entry)
        elif isinstance(entry, dict):
            count += int(any(isinstance(value, (str, int)) and not isinstance(value, bool) and is_substantive(str(value))
                             for value in iter_nodes(entry)))
    return count


def _member_lists(document: Any, *, root_is_rotation: bool) -> list[tuple[str, list[Any]]]:
    """``(key, list)`` member lists that stand under a rotation structure (or the root)."""
    containers: list[Any] = [document] if root_is_rotation else []
    for node in iter_nodes(document):
        if isinstance(node, dict):
            containers.extend(value for key, value in node.items() if str(key).lower() in _CONTAINER_KEYS)
    found: dict[int, tuple[str, list[Any]]] = {}
    for container in containers:
        for node in iter_nodes(container):
            if not isinstance(node, dict):
                continue
            for key, value in node.items():
                if str(key).lower() not in _MEMBER_KEYS:
                    continue
                if isinstance(value, list):
                    found.setdefault(id(value), (str(key), value))
                elif value is None:  # `members:` left empty
                    found.setdefault(id(node), (str(key), []))
    return list(found.values())


def _key_line(text: str, key: str) -> int | None:
    match = re.search(rf"^\s*(?:-\s*)?[\"']?{re.escape(key)}[\"']?\s*:", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


@detector(
    name="on-call-schedule",
    items=(ITEM,),
    looks_for="a YAML/JSON rotation config (oncall.yaml, pagerduty.yaml, opsgenie.yaml...) whose schedule or "
    "rotation lists members",
)
def on_call_schedule(ctx: DetectorContext) -> Iterator[Evidence]:
    """Rotation configs in YAML or JSON with the members who are on call."""
    declared = set(ctx.declared(ITEM))
    paths = [path for path in ctx.index.with_suffix(*_STRUCTURED_SUFFIXES) if path.rsplit("/", 1)[-1] not in _OWN_CONFIG]
    for path in ctx.candidates(ITEM, paths):
        if not path.lower().endswith(_STRUCTURED_SUFFIXES):
            continue
        named = path in declared or bool(_ON_CALL_FILE.search(path.rsplit("/", 1)[-1]))
        text = ctx.index.read_text(path)
        if text is None:
            if named:
                yield ctx.unreadable(ITEM, path)
            continue
        if not named and not _ON_CALL_WORDS.search(text):
            continue
        documents = ctx.index.structured(path)
        if documents is None:
            if named:
                yield ctx.unreadable(ITEM, path)
            continue
        lists = [found for document in documents for found in _member_lists(document, root_is_rotation=named)]
        total = sum(_member_count(members) for _, members in lists)
        if total:
            key = next(key for key, members in lists if _member_count(members))
            yield ctx.supports(ITEM, f"on-call rotation lists {_count(total, 'member')}", path=path, line=_key_line(text, key))
        elif lists:
            key = lists[0][0]
            yield ctx.partial(ITEM, f"on-call rotation has an empty `{key}` list; name who is on call",
                              path=path, line=_key_line(text, key))
        elif named:
            yield ctx.partial(ITEM, "on-call config has no schedule or rotation listing members", path=path)


# ---------------------------------------------------------------------- Terraform
@dataclass
class _People:
    """People a Terraform block lists: literal entries, and lists given by an expression."""

    listed: int = 0
    empty_lists: int = 0
    expressions: int = 0


def _list_entries(masked: str, start: int) -> tuple[int, int]:
    """Top-level entries of the list opening at ``start``, and the offset past its end."""
    end = matching_bracket(masked, start, "[", "]")
    inner = masked[start + 1 : end]
    depth = 0
    entries = 0
    current = ""
    for char in inner + ",":
        if char in "[({":
            depth += 1
        elif char in "])}":
            depth -= 1
        if char == "," and depth == 0:
            entries += int(bool(current.strip()))
            current = ""
        else:
            current += char
    return entries, end + 1


def _people_in(block: HclBlock) -> _People:
    people = _People()
    body, source = block.body, block.source
    for match in re.finditer(r"\b(users|rolling_users)\s*=\s*", body):
        start = match.end()
        if start < len(body) and body[start] == "[":
            entries, _ = _list_entries(body, start)
            if entries:
                people.listed += entries
            else:
                people.empty_lists += 1
        else:
            people.expressions += 1
    for match in re.finditer(r"\b(participant|target|recipient)\s*\{", body):
        close = matching_bracket(body, match.end() - 1, "{", "}")
        inside = source[match.end() : close]
        if re.search(r"\btype\s*=\s*\"none\"", inside):
            continue
        people.listed += 1
    people.expressions += len(re.findall(r"\bdynamic\s+\"(?:participant|target|recipient)\"\s*\{", source))
    return people


_TERRAFORM_TYPES: dict[str, tuple[str, str]] = {
    "pagerduty_schedule": ("PagerDuty schedule", "user"),
    "pagerduty_escalation_policy": ("PagerDuty escalation policy", "target"),
    "opsgenie_schedule_rotation": ("Opsgenie rotation", "participant"),
    "opsgenie_escalation": ("Opsgenie escalation", "recipient"),
    "grafana_oncall_on_call_shift": ("Grafana OnCall shift", "user"),
}


def _judge_block(ctx: DetectorContext, path: str, block: HclBlock) -> Evidence:
    what, noun = _TERRAFORM_TYPES[block.labels[0]]
    name = f"{what} `{block.labels[1]}`"
    try:
        people = _people_in(block)
    except HclError:
        return ctx.evidence(ITEM, f"could not decide from this file: {name} has unbalanced brackets",
                            verdict="unreadable", path=path, line=block.line)
    if people.listed:
        return ctx.supports(ITEM, f"{name} lists {_count(people.listed, noun)}", path=path, line=block.line)
    if people.expressions:
        return ctx.partial(ITEM, f"{name} takes its {noun}s from an expression that a static scan cannot resolve; "
                           "declare the rotation in an on-call document", path=path, line=block.line)
    if people.empty_lists:
        return ctx.partial(ITEM, f"{name} has an empty {noun} list", path=path, line=block.line)
    return ctx.partial(ITEM, f"{name} lists no {noun}s", path=path, line=block.line)


@detector(
    name="on-call-terraform",
    items=(ITEM,),
    looks_for="Terraform PagerDuty / Opsgenie / Grafana OnCall schedules, rotations or escalation policies that "
    "list users or participants",
)
def on_call_terraform(ctx: DetectorContext) -> Iterator[Evidence]:
    """On-call schedules managed with Terraform, read with the block reader of :mod:`.terraform`."""
    types = frozenset(_TERRAFORM_TYPES)
    for path in ctx.candidates(ITEM, ctx.index.with_suffix(".tf")):
        if not path.lower().endswith(".tf"):
            continue
        text = ctx.index.read_text(path)
        if text is None:
            continue
        if not any(f'"{kind}"' in text for kind in types):
            continue
        found: list[Evidence] = []
        try:
            for block in hcl_blocks(text, types):
                found.append(_judge_block(ctx, path, block))
        except HclError as exc:
            found.append(ctx.evidence(ITEM, f"could not decide from this file: {exc}", verdict="unreadable", path=path))
        yield from found


DETECTORS: tuple[Detector, ...] = (on_call_document, on_call_schedule, on_call_terraform)
