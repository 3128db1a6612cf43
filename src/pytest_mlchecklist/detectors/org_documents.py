"""Items 46, 47, 49, 50 and 51: the organisational documents, judged by what they cover.

Every detector reads Markdown (``*.md``, ``*.markdown``; changelogs, SECURITY / CODE_OF_CONDUCT /
CONTRIBUTING / SUPPORT and vendored or generated folders left out; declared ``.txt`` files too)
by headings and sections. Code blocks are invisible, placeholders (TODO, TBD) are not content,
a heading with nothing under it covers nothing. A cheap text hint decides which files are parsed.

``failure-runbooks`` (46): a runbook section for each of the four failure modes the item names,
found by its heading (or the heading of an enclosing section / the document title for the
failure word): model performance degradation, data pipeline failure, serving infrastructure
outage, rollback (the rollback heading rule of :mod:`runbooks`). A mode is covered when its best
section holds at least 2 steps (list items of two words or more, nested contact / history /
rehearsal sections left out). All four covered: ``supports``; otherwise ``partial`` naming the
modes covered and missing.

``success-metrics`` (47): a document with a success heading (success metrics / criteria, KPIs,
OKRs, launch or acceptance criteria, metrics agreement) must hold metrics with numeric targets
(a line with a number and a comparator, a unit or a target word, in a metrics section), action
thresholds (a numeric line in an action / guardrail / trigger section, a line that ties a number
to an action such as rollback, page, retrain, or a table column headed *action*), and a sign-off
naming at least two parties (@handles, e-mails, names) with a date. All present: ``supports``;
otherwise ``partial`` listing what is missing.

``ops-handoff`` (49): an operations guide with substantive sections on five topics: architecture /
overview, retraining, deployment / release, troubleshooting / known issues, contacts / ownership
(contacts must name someone: @handle, e-mail, #channel or name). At least 4 of 5 in one document:
``supports``, naming any missing one; 2 or 3: ``partial`` naming the missing ones.

``incident-response`` (50): an incident section (incident response / process / management /
handling) covering four steps: identify the root cause, communicate to stakeholders, implement a
fix, hold a post-mortem (each a sub-heading with content or a substantive list item saying it),
plus severity levels or roles, plus a post-mortem template anywhere: a document or section with at
least four of the headings summary, impact, timeline, root cause, action items, detection,
resolution, lessons learned. All of it: ``supports``; otherwise ``partial`` naming what is missing.
A template (or past post-mortems) without a process is ``partial`` too; a post-mortem document is
never read as the process itself, and severity tables or role lists are not steps.

``deprecation-plan`` (51): a deprecation / retirement / sunset / decommissioning section of a
document that is about a model, covering the retirement conditions, the successor or fallback,
and at least 2 decommissioning steps (list items that do something, such as delete, disable,
archive, revoke, to endpoints, storage / data, schedules, access / credentials, monitoring...).
All three: ``supports``; otherwise ``partial`` naming the missing part. A document that never
mentions a model (a library's API deprecation notes) is skipped.

Every document may say when it was last reviewed (``Last reviewed: 2026-03-01``, ``Last updated``,
``Reviewed on``); a success-metrics sign-off date counts as a review. When the most recent such date
is more than ``review_max_days`` days old (configuration, default 365), what would support is ``partial`` with the age.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from pytest_mlchecklist.detectors.base import Detector, DetectorContext, detector
from pytest_mlchecklist.detectors.runbooks import (
    _REHEARSAL_HEADING,
    _ROLLBACK_HEADING,
    DateMention,
    _procedure,
    dates_near,
    iso_dates,
    plain_title,
)
from pytest_mlchecklist.evidence import Evidence
from pytest_mlchecklist.markdown import MarkdownDocument, MarkdownSection, is_substantive

#: A document last reviewed longer ago than this (days) no longer supports its item.

_SKIPPED_DOCUMENT = re.compile(
    r"^(?:change[s_-]?log\w*|changes|history|news|release[s_-]?notes|security|code[_-]of[_-]conduct|contributing|support)"
    r"\.(?:md|markdown)$",
    re.IGNORECASE,
)
_REVIEW_LABEL = re.compile(
    r"last[\s_-]+(?:reviewed|updated|revised|review)|\breviewed(?:\s+on)?\b|\breview[\s_-]+date|\bupdated\s+on\b",
    re.IGNORECASE,
)
_PLANNED = re.compile(r"\b(?:next|planned|upcoming|due|scheduled)\b", re.IGNORECASE)
_ISO_DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")
_IDENTITY = re.compile(
    r"(?<![\w.])@[A-Za-z0-9][\w.-]*(?:/[\w.-]+)?|\b[\w.+-]+@[\w-]+\.[\w.-]+\b|(?<![\w&])#[a-z][\w-]{2,}"
)
_PLACEHOLDER_IDENTITY = re.compile(
    r"^@(?:here|channel|everyone|someone|somebody|your[\w-]*|tbd|todo|name|user|handle|team)$|example\.(?:com|org)",
    re.IGNORECASE,
)
_PERSON_NAME = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z]\.)?\s+[A-Z][a-z]+(?:-[A-Z][a-z]+)?\b")
_NOT_NAME_WORDS = frozenset(
    "product manager lead head owner business engineering data science scientist director team machine learning "
    "analytics operations risk compliance finance marketing chief officer sponsor stakeholder party name role date "
    "signature signed approved status sign off platform engineer analyst vice president sales support customer "
    "success ops legal security model research program project principal senior staff manager general counsel "
    "the and for of on by with ml".split()
)


# ---------------------------------------------------------------------- shared reading
def _markdown_paths(ctx: DetectorContext, item: str) -> list[str]:
    found = [
        path for path in ctx.index.with_suffix(".md", ".markdown")
        if not _SKIPPED_DOCUMENT.match(path.rsplit("/", 1)[-1])
    ]
    declared = [path for path in ctx.declared(item) if path.lower().endswith((".md", ".markdown", ".txt"))]
    return ctx.candidates(item, [*found, *declared])


def _documents(
    ctx: DetectorContext, item: str, hint: re.Pattern[str], path_hint: re.Pattern[str]
) -> Iterator[tuple[str, MarkdownDocument | None]]:
    """Markdown documents whose text matches ``hint``; ``None`` for a candidate that cannot be read.

    An unreadable file is only reported when the team declared it or its path looks like the item.
    """
    declared = set(ctx.declared(item))
    for path in _markdown_paths(ctx, item):
        text = ctx.index.read_text(path)
        if text is None:
            if path in declared or path_hint.search(path):
                yield path, None
            continue
        if not hint.search(text):
            continue
        document = ctx.index.markdown(path)
        if document is None:
            yield path, None
            continue
        yield path, document


def _title(section: MarkdownSection) -> str:
    return plain_title(section.title)


def _ancestors(document: MarkdownDocument) -> dict[int, list[MarkdownSection]]:
    """For each section (by id), the sections that enclose it, outermost first."""
    stack: list[MarkdownSection] = []
    result: dict[int, list[MarkdownSection]] = {}
    for section in document.sections:
        while stack and stack[-1].level >= section.level:
            stack.pop()
        result[id(section)] = list(stack)
        stack.append(section)
    return result


def _subtree_lines(document: MarkdownDocument, section: MarkdownSection) -> list[tuple[int, str]]:
    """Substantive prose lines (paragraphs, list items, table cells) of a section and its subsections."""
    lines: list[tuple[int, str]] = []
    for nested in document.subtree(section):
        lines.extend((line, text) for line, text in nested.text_lines() if is_substantive(text))
    return lines


def joined_rows(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Lines joined by line number: the cells of one table row become one ``a | b | c`` line."""
    joined: dict[int, list[str]] = {}
    for line, text in lines:
        joined.setdefault(line, []).append(text)
    return [(line, " | ".join(parts)) for line, parts in sorted(joined.items())]


def _word_count(lines: list[tuple[int, str]]) -> int:
    return sum(len(text.split()) for _, text in lines)


def _is_substantive_section(document: MarkdownDocument, section: MarkdownSection) -> bool:
    """Two substantive lines, or one of at least eight words, or a table with content."""
    lines = _subtree_lines(document, section)
    return len(lines) >= 2 or _word_count(lines) >= 8


def _steps(document: MarkdownDocument, section: MarkdownSection) -> int:
    """Steps of a procedure section (see :func:`runbooks._procedure`)."""
    return _procedure(document, section).steps


def _last_review(ctx: DetectorContext, documents: list[MarkdownDocument]) -> DateMention | None:
    """The most recent past review date written in ``documents`` (planned reviews left out)."""
    found: list[DateMention] = []
    for document in documents:
        for section in document.all_sections():
            lines = list(section.text_lines())
            if section.level:
                lines.append((section.line, section.title))
            for line, raw in lines:
                text = plain_title(raw)
                if _PLANNED.search(text):
                    continue
                found.extend(dates_near(text, line, _REVIEW_LABEL, window=40))
    past = [mention for mention in found if mention.value is not None and mention.value <= ctx.today]
    return max(past, key=lambda mention: mention.value or ctx.today) if past else None


def _stale(ctx: DetectorContext, review: DateMention | None) -> str | None:
    """A phrase saying the review is too old, or ``None`` when it is recent or absent."""
    if review is None or review.value is None:
        return None
    age = (ctx.today - review.value).days
    if age <= ctx.settings.review_max_days:
        return None
    return (f"last reviewed {review.text}, {age} days ago, over the {ctx.settings.review_max_days}-day limit "
            "(`review_max_days`); review it again")


def join_names(names: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _identities(text: str) -> set[str]:
    """@handles, e-mails, #channels and person names in ``text`` (placeholders left out)."""
    found = {match.group(0).lower() for match in _IDENTITY.finditer(text) if not _PLACEHOLDER_IDENTITY.search(match.group(0))}
    for match in _PERSON_NAME.finditer(text):
        words = [word.lower().rstrip(".") for word in re.split(r"[\s-]+", match.group(0))]
        if not all(word in _NOT_NAME_WORDS for word in words) and not any(word in _NOT_NAME_WORDS for word in words[-1:]):
            found.add(match.group(0).lower())
    return found


# ---------------------------------------------------------------------- 46 failure runbooks
RUNBOOKS = "failure-runbooks"

_FAILURE_CONTEXT = re.compile(
    r"fail|broken|\bbreak|outage|\bdown\b|unavailab|unreachab|stale|\blate\b|delay|error|missing|incident|stuck|crash|"
    r"\b5\d\d\b|5xx|timeout|unhealthy|overload|not\s+respond|runbook|playbook|on[\s-]?call|emergenc|troubleshoot",
    re.IGNORECASE,
)
_DEGRADE = re.compile(r"degrad|\bdrops?\b|\bdropp|declin|decay|regress|\bdrift|worse|\blow\b|poor|underperform", re.IGNORECASE)
_STRICT_QUALITY = re.compile(
    r"accuracy|quality|prediction|precision|recall|\bauc\b|\bf1\b|\bctr\b|conversion|model\s+performance|concept|"
    r"\bmetrics?\b|\bkpis?\b",
    re.IGNORECASE,
)
_MODEL = re.compile(r"\bmodels?\b|\bml\b|performance", re.IGNORECASE)
_PIPELINE_SUBJECT = re.compile(
    r"\bdata\b|pipeline|\betl\b|\belt\b|ingest|feature\s+store|\bfeatures?\b|upstream|\bdags?\b|airflow|batch\s+job|"
    r"\bjobs?\b|\bfeeds?\b",
    re.IGNORECASE,
)
_SERVING_SUBJECT = re.compile(
    r"serving|\bserver\b|endpoint|\bapi\b|inference|\bservice\b|\bpods?\b|cluster|infra\w*|gateway|latency|"
    r"\b5\d\d\b|5xx",
    re.IGNORECASE,
)
_RUNBOOK_HINT = re.compile(
    r"degrad|pipeline|outage|roll(?:ing)?[\s_-]?back|revert|downgrad|serving|endpoint|inference|\bapi\b|\bdown\b|"
    r"fail|drift|runbook|playbook",
    re.IGNORECASE,
)
_RUNBOOK_PATH = re.compile(r"runbook|playbook|(?:^|/)ops/|incident|on[\s_-]?call", re.IGNORECASE)

_MODES = ("model degradation", "data pipeline failure", "serving outage", "rollback")


def _section_modes(section: MarkdownSection, ancestors: list[MarkdownSection]) -> list[str]:
    """The failure modes a section's heading names (context: its own and enclosing headings)."""
    own = _title(section)
    context = " / ".join([*(_title(parent) for parent in ancestors), own])
    modes: list[str] = []
    serving_subject = bool(_SERVING_SUBJECT.search(own))
    if _DEGRADE.search(own) and (
        _STRICT_QUALITY.search(own) or (not serving_subject and _MODEL.search(context))
    ):
        modes.append("model degradation")
    if _PIPELINE_SUBJECT.search(own) and _FAILURE_CONTEXT.search(context) and not _STRICT_QUALITY.search(own):
        modes.append("data pipeline failure")
    if serving_subject and _FAILURE_CONTEXT.search(context):
        modes.append("serving outage")
    if _ROLLBACK_HEADING.search(own) and not _REHEARSAL_HEADING.search(own):
        modes.append("rollback")
    return modes


@dataclass(frozen=True)
class _ModeSection:
    """A runbook section for one failure mode, and how many steps it holds."""

    mode: str
    path: str
    line: int
    steps: int
    document: MarkdownDocument


@detector(
    name="failure-runbooks",
    items=(RUNBOOKS,),
    looks_for="Markdown runbook sections with at least 2 steps for model degradation, data pipeline failure, "
    "serving outage and rollback",
)
def failure_runbooks(ctx: DetectorContext) -> Iterator[Evidence]:
    """Runbooks for the four failure modes of item 46, each with steps."""
    best: dict[str, _ModeSection] = {}
    for path, document in _documents(ctx, RUNBOOKS, _RUNBOOK_HINT, _RUNBOOK_PATH):
        if document is None:
            yield ctx.unreadable(RUNBOOKS, path)
            continue
        ancestors = _ancestors(document)
        for section in document.sections:
            for mode in _section_modes(section, ancestors[id(section)]):
                found = _ModeSection(mode, path, section.line, _steps(document, section), document)
                current = best.get(mode)
                if current is None or found.steps > current.steps:
                    best[mode] = found
    if not best:
        return
    covered = [best[mode] for mode in _MODES if mode in best and best[mode].steps >= 2]
    thin = [best[mode] for mode in _MODES if mode in best and best[mode].steps < 2]
    missing = [mode for mode in _MODES if mode not in best or best[mode].steps < 2]
    first = (covered or thin)[0]
    where = {"path": first.path, "line": first.line, "values": {"modes_covered": float(len(covered))}}
    if not missing:
        places = ", ".join(f"{found.mode} ({found.path}:{found.line}, {found.steps} steps)" for found in covered)
        stale = _stale(ctx, _last_review(ctx, list({id(found.document): found.document for found in covered}.values())))
        if stale:
            yield ctx.partial(RUNBOOKS, f"runbooks cover all four failure modes, but one was {stale}", **where)
            return
        yield ctx.supports(RUNBOOKS, f"runbooks cover all four failure modes: {places}", **where)
        return
    have = join_names([found.mode for found in covered]) if covered else "no failure mode with steps"
    notes = "".join(
        f"; {found.mode} heading at {found.path}:{found.line} has {'no steps' if not found.steps else 'only 1 step'}"
        for found in thin
    )
    prefix = "runbooks cover " if covered else "runbooks have "
    yield ctx.partial(RUNBOOKS, f"{prefix}{have}; missing: {', '.join(missing)}{notes}", **where)


# ---------------------------------------------------------------------- 47 success metrics
METRICS = "success-metrics"

_SUCCESS_HEADING = re.compile(
    r"success\s+(?:metrics?|criteria|measures?|definition|kpis?)|defin\w+\s+(?:of\s+)?success|\bkpis?\b|\bokrs?\b|"
    r"launch\s+criteria|acceptance\s+criteria|metrics?\s+agreement|go[\s/-]+no[\s-]?go|business\s+metrics|target\s+metrics",
    re.IGNORECASE,
)
_METRIC_HEADING = re.compile(
    r"metrics?|\bkpis?\b|\bokrs?\b|targets?|objectives?|goals?|criteria|success|measures?|thresholds?|\bslos?\b",
    re.IGNORECASE,
)
_ACTION_HEADING = re.compile(
    r"action|guardrail|trigger|when\s+to\s+act|escalat|intervention|stop[\s-]?loss|kill\s+(?:criteria|switch)|"
    r"rollback\s+criteria|alert|response",
    re.IGNORECASE,
)
_SIGN_OFF_HEADING = re.compile(
    r"sign[\s_-]?offs?|signatures?|signatories|approvals?|approved\s+by|agreed\s+by|endorse", re.IGNORECASE
)
_SIGN_OFF_LINE = re.compile(r"sign(?:ed)?[\s_-]?off|signed\s+by|approved\s+by|agreed\s+(?:by|on|with)|accepted\s+by", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)?(?![\w-])")
_TARGET_CONTEXT = re.compile(
    r"[<>≥≤]|at\s+least|at\s+most|above|below|under|over|no\s+(?:more|less|lower|higher)\s+than|target|threshold|"
    r"\bmin(?:imum)?\b|\bmax(?:imum)?\b|goal|%|\bms\b|\bp\d\d\b|\bpp\b|\bbps\b|\bx\b|\$|€|£",
    re.IGNORECASE,
)
_ACTION_WORD = re.compile(
    r"roll\s*back|revert|\bpage|pager|alert|escalat|retrain|investigat|trigger|\bpause|\bhalt|disable|freeze|"
    r"kill|intervene|\bact\b|action|fall\s*back|switch|notify|review",
    re.IGNORECASE,
)
_CONDITION = re.compile(r"\bif\b|\bwhen\b|below|above|drops?|falls?|exceeds?|under|over|[<>≥≤]", re.IGNORECASE)
_METRICS_HINT = re.compile(
    r"success|\bkpi|\bokr|launch\s+criteria|acceptance\s+criteria|metrics\s+agreement|go[\s/-]+no[\s-]?go|"
    r"business\s+metrics|target\s+metrics",
    re.IGNORECASE,
)
_METRICS_PATH = re.compile(r"success|metric|kpi|okr|launch|criteria", re.IGNORECASE)


def _numeric(text: str) -> bool:
    """A number that is not part of a date."""
    return bool(_NUMBER.search(_ISO_DATE_TEXT.sub(" ", text)))


@dataclass
class _MetricsFacts:
    """What a success-metrics document holds."""

    targets: int = 0
    target_line: int | None = None
    action: bool = False
    parties: int = 0
    sign_off_line: int | None = None
    sign_off_dates: list[DateMention] | None = None


def _metrics_facts(ctx: DetectorContext, document: MarkdownDocument) -> _MetricsFacts:
    facts = _MetricsFacts(sign_off_dates=[])
    ancestors = _ancestors(document)
    identities: set[str] = set()
    target_lines: set[int] = set()
    for section in document.all_sections():
        titles = " / ".join([*(_title(parent) for parent in ancestors.get(id(section), [])), _title(section)])
        own = _title(section)
        rows = joined_rows([(line, text) for line, text in section.text_lines() if is_substantive(text)])
        in_sign_off = bool(_SIGN_OFF_HEADING.search(own)) or (
            section.level > 0 and bool(_SIGN_OFF_HEADING.search(titles))
        )
        in_metrics = section.level > 0 and bool(_METRIC_HEADING.search(titles)) and not in_sign_off
        in_action = section.level > 0 and bool(_ACTION_HEADING.search(own))
        action_header = False
        for line, text in rows:
            plain = plain_title(text)
            if in_sign_off or _SIGN_OFF_LINE.search(plain):
                people = _identities(text)
                if people:
                    identities.update(people)
                    facts.sign_off_line = facts.sign_off_line or line
                facts.sign_off_dates.extend(iso_dates(plain, line))
                if in_sign_off:
                    continue
            numeric = _numeric(plain)
            if in_metrics and not numeric and "|" in text and _ACTION_HEADING.search(plain):
                action_header = True  # a table column headed "Action threshold"
            if not numeric:
                continue
            if in_action or action_header or (_ACTION_WORD.search(plain) and _CONDITION.search(plain)):
                facts.action = True
            if in_metrics and _TARGET_CONTEXT.search(plain) and not in_action:
                target_lines.add(line)
    facts.targets = len(target_lines)
    facts.target_line = min(target_lines) if target_lines else None
    facts.parties = len(identities)
    return facts


@detector(
    name="success-metrics-agreement",
    items=(METRICS,),
    looks_for="a success-metrics document with numeric targets, action thresholds and a dated sign-off by at "
    "least two parties",
)
def success_metrics(ctx: DetectorContext) -> Iterator[Evidence]:
    """Success-metrics agreements (item 47): targets, action thresholds, dated sign-off."""
    for path, document in _documents(ctx, METRICS, _METRICS_HINT, _METRICS_PATH):
        if document is None:
            yield ctx.unreadable(METRICS, path)
            continue
        headings = [section for section in document.sections if _SUCCESS_HEADING.search(_title(section))]
        if not headings:
            continue
        yield _judge_metrics(ctx, path, document, headings[0])


def _judge_metrics(ctx: DetectorContext, path: str, document: MarkdownDocument, heading: MarkdownSection) -> Evidence:
    facts = _metrics_facts(ctx, document)
    dates = [mention for mention in facts.sign_off_dates or [] if mention.value is not None and mention.value <= ctx.today]
    missing: list[str] = []
    if not facts.targets:
        missing.append("no metric with a numeric target")
    if not facts.action:
        missing.append("no action thresholds (what triggers action)")
    if facts.parties < 2:
        missing.append("no sign-off by the parties" if not facts.parties else "sign-off names only one party")
    if not dates:
        missing.append("no sign-off date")
    where = {"path": path, "line": facts.target_line or heading.line,
             "values": {"targets": float(facts.targets), "parties": float(facts.parties)}}
    targets = f"{facts.targets} metric target{'s' if facts.targets != 1 else ''}"
    if missing:
        found = f"success-metrics document with {targets}" if facts.targets else "success-metrics document"
        return ctx.partial(METRICS, f"{found}, but {'; '.join(missing)}", **where)
    signed = max(dates, key=lambda mention: mention.value or ctx.today)
    review = _last_review(ctx, [document])
    latest = max([signed, *([review] if review else [])], key=lambda mention: mention.value or ctx.today)
    what = f"{targets} with action thresholds, signed off by {facts.parties} parties on {signed.text}"
    stale = _stale(ctx, latest)
    if stale:
        return ctx.partial(METRICS, f"{what}, but the agreement was {stale}", **where)
    return ctx.supports(METRICS, what, **where)


# ---------------------------------------------------------------------- 49 ops handoff
HANDOFF = "ops-handoff"

_TOPICS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("architecture", re.compile(r"architecture|overview|system\s+design|how\s+it\s+works|components|data\s+flow", re.IGNORECASE)),
    ("retraining", re.compile(r"re[\s-]?train|\btraining\b|model\s+refresh|refresh(?:ing)?\s+the\s+model", re.IGNORECASE)),
    ("deployment", re.compile(r"deploy|release|roll[\s-]?out|promot|shipping", re.IGNORECASE)),
    ("troubleshooting", re.compile(
        r"troubleshoot|known\s+(?:issues|problems|limitations)|\bfaq\b|common\s+(?:problems|issues|errors|failures)|"
        r"debug|gotchas|failure\s+modes|pitfalls", re.IGNORECASE)),
    ("contacts", re.compile(r"contacts?|\bowners?\b|ownership|who\s+to\s+(?:ask|call|contact)|escalation|maintainers?|"
                            r"\bsupport\b|on[\s-]?call|point\s+of\s+contact", re.IGNORECASE)),
)
_HANDOFF_HINT = re.compile(
    r"train|deploy|troubleshoot|known\s+issues|architecture|hand[\s-]?(?:off|over)|operations", re.IGNORECASE
)
_HANDOFF_PATH = re.compile(r"handoff|handover|hand-over|operations|(?:^|/)ops/|maintenance|operat", re.IGNORECASE)


def _handoff_topics(document: MarkdownDocument) -> tuple[dict[str, MarkdownSection], dict[str, MarkdownSection]]:
    """Topics with a substantive section, and topics with only an empty heading."""
    covered: dict[str, MarkdownSection] = {}
    empty: dict[str, MarkdownSection] = {}
    for section in document.sections:
        title = _title(section)
        for topic, pattern in _TOPICS:
            if topic in covered or not pattern.search(title):
                continue
            substantive = _is_substantive_section(document, section)
            if topic == "contacts":
                substantive = any(_identities(text) for _, text in _subtree_lines(document, section))
            if substantive:
                covered[topic] = section
                empty.pop(topic, None)
            else:
                empty.setdefault(topic, section)
    return covered, empty


@detector(
    name="ops-handoff-guide",
    items=(HANDOFF,),
    looks_for="an operations guide with substantive sections on architecture, retraining, deployment, "
    "troubleshooting and contacts (at least 4 of 5)",
)
def ops_handoff(ctx: DetectorContext) -> Iterator[Evidence]:
    """Operations / handoff guides (item 49)."""
    best: tuple[int, str, MarkdownDocument, dict[str, MarkdownSection], dict[str, MarkdownSection]] | None = None
    judged = False
    for path, document in _documents(ctx, HANDOFF, _HANDOFF_HINT, _HANDOFF_PATH):
        if document is None:
            yield ctx.unreadable(HANDOFF, path)
            continue
        covered, empty = _handoff_topics(document)
        if len(covered) >= 4:
            yield _judge_handoff(ctx, path, document, covered)
            judged = True
            continue
        if len(covered) >= 2 and (best is None or len(covered) > best[0]):
            best = (len(covered), path, document, covered, empty)
    if best is not None and not judged:
        _, path, document, covered, empty = best
        missing = [topic for topic, _ in _TOPICS if topic not in covered]
        notes = [f"{topic} heading is empty" for topic in missing if topic in empty]
        first = min(section.line for section in covered.values())
        detail = (f"operations guide covers {join_names([topic for topic, _ in _TOPICS if topic in covered])}; "
                  f"missing: {', '.join(missing)}" + (f" ({'; '.join(notes)})" if notes else ""))
        yield ctx.partial(HANDOFF, detail, path=path, line=first, values={"topics": float(len(covered))})


def _judge_handoff(ctx: DetectorContext, path: str, document: MarkdownDocument, covered: dict[str, MarkdownSection]) -> Evidence:
    names = [topic for topic, _ in _TOPICS if topic in covered]
    missing = [topic for topic, _ in _TOPICS if topic not in covered]
    line = min(section.line for section in covered.values())
    where = {"path": path, "line": line, "values": {"topics": float(len(covered))}}
    what = f"operations guide covers {join_names(names)}" + (f" (missing: {missing[0]})" if missing else "")
    stale = _stale(ctx, _last_review(ctx, [document]))
    if stale:
        return ctx.partial(HANDOFF, f"{what}, but it was {stale}", **where)
    return ctx.supports(HANDOFF, what, **where)


# ---------------------------------------------------------------------- 50 incident response
INCIDENT = "incident-response"

_INCIDENT_HEADING = re.compile(r"incident|outage\s+process|escalation\s+process", re.IGNORECASE)
_INCIDENT_PROCESS = re.compile(
    r"process|response|management|handling|procedure|playbook|runbook|policy|lifecycle|workflow", re.IGNORECASE
)
_STEP_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("root cause", re.compile(r"root[\s-]?cause|\brca\b|diagnos|investigat|triage", re.IGNORECASE)),
    ("communication", re.compile(
        r"communicat|notify|notif|status\s*page|stakeholder|announce|inform|\bupdates?\b.*\b(?:channel|stakeholders|customers)",
        re.IGNORECASE)),
    ("fix", re.compile(r"\bfix|mitigat|remediat|resolv|\bpatch|roll[\s-]?back|hotfix|recover|restore", re.IGNORECASE)),
    ("post-mortem", re.compile(
        r"post[\s-]?mortem|retrospective|\bretro\b|post[\s-]?incident\s+review|lessons\s+learned|\bpir\b", re.IGNORECASE)),
)
_SEVERITY = re.compile(r"\bseverity|\bsev\b|priority\s+levels?|\blevels?\b", re.IGNORECASE)
_LEVEL = re.compile(r"\bsev(?:erity)?[\s-]?[0-5]\b|\bp[0-4]\b", re.IGNORECASE)
_ROLES = re.compile(
    r"incident\s+(?:commander|lead|manager|owner)|communications?\s+lead|\bscribe\b|\broles?\b|responsibilit", re.IGNORECASE
)
_TEMPLATE_HEADINGS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("summary", re.compile(r"summary|overview|what\s+happened", re.IGNORECASE)),
    ("impact", re.compile(r"impact", re.IGNORECASE)),
    ("timeline", re.compile(r"timeline|chronology|sequence\s+of\s+events", re.IGNORECASE)),
    ("root cause", re.compile(r"root[\s-]?cause|contributing\s+factors|\bcauses?\b", re.IGNORECASE)),
    ("action items", re.compile(r"action\s+items|follow[\s-]?ups?|corrective|remediation|next\s+steps|actions", re.IGNORECASE)),
    ("detection", re.compile(r"detection|how\s+(?:was\s+it|we)\s+detected", re.IGNORECASE)),
    ("resolution", re.compile(r"resolution|mitigation|recovery", re.IGNORECASE)),
    ("lessons learned", re.compile(r"lessons|what\s+went\s+(?:well|wrong)|learnings", re.IGNORECASE)),
)
_INCIDENT_HINT = re.compile(r"incident|post[\s-]?mortem|retrospective", re.IGNORECASE)
_INCIDENT_PATH = re.compile(r"incident|post[\s-]?mortem|runbook|playbook|(?:^|/)ops/|on[\s_-]?call", re.IGNORECASE)


@dataclass(frozen=True)
class _Process:
    """An incident process section and what it covers."""

    path: str
    line: int
    steps: tuple[str, ...]
    severity: bool
    roles: bool
    document: MarkdownDocument


def _template_headings(document: MarkdownDocument) -> tuple[int, int]:
    """How many post-mortem template headings the document has, and the line of the first one."""
    names: set[str] = set()
    first = 0
    for section in document.sections:
        title = _title(section)
        for name, pattern in _TEMPLATE_HEADINGS:
            if name not in names and pattern.search(title):
                names.add(name)
                first = first or section.line
                break
    return len(names), first


def _incident_process(path: str, document: MarkdownDocument) -> _Process | None:
    """The incident process of a document: the incident section with the most steps covered.

    A heading must name a process (incident response, process, handling...); a document titled
    after an incident counts only when it is not itself a post-mortem (a past incident's root
    cause and resolution are not a process).
    """
    best: _Process | None = None
    is_post_mortem = _template_headings(document)[0] >= 4
    ancestors = _ancestors(document)
    for section in document.sections:
        title = _title(section)
        if not _INCIDENT_HEADING.search(title) or any(
            _INCIDENT_HEADING.search(_title(parent)) for parent in ancestors[id(section)]
        ):
            continue
        if not (_INCIDENT_PROCESS.search(title) or (section.level == 1 and not is_post_mortem)):
            continue
        subtree = document.subtree(section)
        found: set[str] = set()
        levels: set[str] = set()
        severity = roles = False
        for nested in subtree:
            nested_title = _title(nested)
            lines = [(line, plain_title(text)) for line, text in nested.text_lines() if is_substantive(text)]
            has_content = len(lines) >= 1
            for _, text in lines:
                levels.update(re.sub(r"[\s-]", "", level.lower()) for level in _LEVEL.findall(text))
            if has_content and _SEVERITY.search(nested_title):
                severity = True
            if (has_content and _ROLES.search(nested_title)) or any(_ROLES.search(text) for _, text in lines):
                roles = True
            if nested is not section and (_SEVERITY.search(nested_title) or _ROLES.search(nested_title)):
                continue  # a severity table or a list of roles is not a step of the process
            for name, pattern in _STEP_PATTERNS:
                if nested is not section and has_content and pattern.search(nested_title):
                    found.add(name)
                if any(pattern.search(text) and len(text.split()) >= 3 for _, text in lines):
                    found.add(name)
        severity = severity or len(levels) >= 2
        steps = tuple(name for name, _ in _STEP_PATTERNS if name in found)
        candidate = _Process(path, section.line, steps, severity, roles, document)
        if best is None or len(candidate.steps) > len(best.steps):
            best = candidate
    return best


@detector(
    name="incident-process",
    items=(INCIDENT,),
    looks_for="an incident process (root cause, communication, fix, post-mortem, with severity levels or roles) "
    "and a post-mortem template with summary / impact / timeline / root cause / action items headings",
)
def incident_response(ctx: DetectorContext) -> Iterator[Evidence]:
    """Incident response processes and post-mortem templates (item 50)."""
    best: _Process | None = None
    template: tuple[str, int] | None = None
    for path, document in _documents(ctx, INCIDENT, _INCIDENT_HINT, _INCIDENT_PATH):
        if document is None:
            yield ctx.unreadable(INCIDENT, path)
            continue
        process = _incident_process(path, document)
        if process is not None and (best is None or (len(process.steps), process.severity or process.roles)
                                    > (len(best.steps), best.severity or best.roles)):
            best = process
        count, line = _template_headings(document)
        if count >= 4 and template is None:
            template = (path, line)
    if best is None:
        if template is not None:
            yield ctx.partial(INCIDENT, "post-mortem template found, but no incident process (root cause, communication, "
                              "fix, post-mortem)", path=template[0], line=template[1])
        return
    missing = [name for name, _ in _STEP_PATTERNS if name not in best.steps]
    problems = [f"incident process has no {name} step" for name in missing]
    if not (best.severity or best.roles):
        problems.append("no severity levels or roles")
    if template is None:
        problems.append("no post-mortem template (summary, impact, timeline, root cause, action items)")
    where = {"path": best.path, "line": best.line, "values": {"steps": float(len(best.steps))}}
    if problems:
        yield ctx.partial(INCIDENT, "; ".join(problems), **where)
        return
    extras = join_names([name for name, present in (("severity levels", best.severity), ("roles", best.roles)) if present])
    template_path = template[0] if template is not None else ""
    what = (f"incident process covers root cause, communication, fix and post-mortem, with {extras}; "
            f"post-mortem template in {template_path}")
    stale = _stale(ctx, _last_review(ctx, [best.document]))
    if stale:
        yield ctx.partial(INCIDENT, f"{what}, but the process was {stale}", **where)
        return
    yield ctx.supports(INCIDENT, what, **where)


# ---------------------------------------------------------------------- 51 deprecation plan
DEPRECATION = "deprecation-plan"

_DEPRECATION_HEADING = re.compile(
    r"deprecat|retire|retirement|sunset|decommission|end[\s-]+of[\s-]+life|\beol\b|switch(?:ing)?[\s-]+off|shut[\s-]?down\s+plan",
    re.IGNORECASE,
)
_CONDITION_HEADING = re.compile(r"criteria|conditions?|triggers?|\bwhen\b|timeline|schedule", re.IGNORECASE)
_CONDITION_LINE = re.compile(
    r"\b(?:when|if|once|after|criteria|conditions?|triggers?|no\s+later\s+than|at\s+the\s+latest)\b", re.IGNORECASE
)
_RETIRE_WORD = re.compile(
    r"retir|deprecat|sunset|decommission|switch(?:ed)?\s+off|shut\s+down|turn(?:ed)?\s+off|end[\s-]of[\s-]life",
    re.IGNORECASE,
)
_SUCCESSOR = re.compile(
    r"successor|replac|supersed|fall[\s-]?back|migrat\w*\s+to|takes?\s+over|instead|alternative|rule[\s-]based|heuristic",
    re.IGNORECASE,
)
_DECOMMISSION_HEADING = re.compile(
    r"decommission|tear[\s-]?down|shut[\s-]?down|clean[\s-]?up|removal|remove|offboard|steps|checklist|procedure",
    re.IGNORECASE,
)
_TARGETS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("endpoints", re.compile(r"endpoint|\bapi\b|route|service|deployment|ingress|dns|traffic|server|\bpods?\b", re.IGNORECASE)),
    ("storage/data", re.compile(
        r"storage|bucket|\bs3\b|\bgcs\b|table|data(?:set|base)?\b|artifact|registry|feature\s+store|archive|snapshot",
        re.IGNORECASE)),
    ("schedules", re.compile(r"schedul|cron|\bdags?\b|airflow|\bjobs?\b|pipeline|retrain", re.IGNORECASE)),
    ("access", re.compile(r"access|credential|secret|\bkeys?\b|\biam\b|token|permission|service\s+account|role", re.IGNORECASE)),
    ("monitoring", re.compile(r"alert|dashboard|monitor", re.IGNORECASE)),
)
_DECOMMISSION_ACTION = re.compile(
    r"delet|remov|disabl|decommission|archiv|revok|rotat|\bdrop|tear\s+down|shut\s+down|turn\s+off|switch\s+off|"
    r"\bstop|scale\s+(?:down|to\s+zero)|purg|destroy|unregister|deregister|\broute|redirect|\bmigrat|export|"
    r"back\s+up|retain|clean\s+up|unschedul|pause|expire|transfer",
    re.IGNORECASE,
)
_DEPRECATION_HINT = re.compile(r"deprecat|retire|sunset|decommission|end[\s-]+of[\s-]+life", re.IGNORECASE)
_DEPRECATION_PATH = re.compile(r"deprecat|retire|sunset|decommission|model[\s_-]?card|lifecycle", re.IGNORECASE)
_MODEL_MENTION = re.compile(r"\bmodels?\b", re.IGNORECASE)


@dataclass(frozen=True)
class _Plan:
    """A deprecation section and the three parts it covers."""

    line: int
    condition: bool
    successor: bool
    steps: int
    targets: tuple[str, ...]
    empty: bool


def _deprecation_plan(document: MarkdownDocument, section: MarkdownSection) -> _Plan:
    condition = successor = False
    step_lines: set[int] = set()
    targets: set[str] = set()
    any_content = False
    for nested in document.subtree(section):
        title = _title(nested)
        lines = [(line, plain_title(text)) for line, text in nested.text_lines() if is_substantive(text)]
        any_content = any_content or bool(lines)
        if nested is not section and lines:
            if _CONDITION_HEADING.search(title):
                condition = True
            if _SUCCESSOR.search(title):
                successor = True
        for line, text in lines:
            if _CONDITION_LINE.search(text) and (_RETIRE_WORD.search(text) or _CONDITION_HEADING.search(title)):
                condition = True
            if _RETIRE_WORD.search(text) and any(mention.value is not None for mention in iso_dates(text, line)):
                condition = True  # a planned retirement date
            if _SUCCESSOR.search(text) and len(text.split()) >= 3:
                successor = True
        if _CONDITION_HEADING.search(title) and not _DECOMMISSION_HEADING.search(title) and nested is not section:
            continue
        if _SUCCESSOR.search(title) and nested is not section:
            continue
        for item in nested.list_items:
            if not is_substantive(item.text) or len(item.text.split()) < 2:
                continue
            kinds = [name for name, pattern in _TARGETS if pattern.search(item.text)]
            if kinds and _DECOMMISSION_ACTION.search(item.text):
                step_lines.add(item.line)
                targets.update(kinds)
    ordered = tuple(name for name, _ in _TARGETS if name in targets)
    return _Plan(section.line, condition, successor, len(step_lines), ordered, not any_content)


@detector(
    name="deprecation-plan-document",
    items=(DEPRECATION,),
    looks_for="a deprecation / retirement section for the model with retirement conditions, a successor or "
    "fallback, and at least 2 decommissioning steps (endpoints, storage, schedules, access)",
)
def deprecation_plan(ctx: DetectorContext) -> Iterator[Evidence]:
    """Deprecation and retirement plans (item 51)."""
    for path, document in _documents(ctx, DEPRECATION, _DEPRECATION_HINT, _DEPRECATION_PATH):
        if document is None:
            yield ctx.unreadable(DEPRECATION, path)
            continue
        text = ctx.index.read_text(path) or ""
        if not _MODEL_MENTION.search(text):
            continue  # a library's API deprecation notes are not a model's retirement plan
        ancestors = _ancestors(document)
        sections = [
            section for section in document.sections
            if _DEPRECATION_HEADING.search(_title(section))
            and not any(_DEPRECATION_HEADING.search(_title(parent)) for parent in ancestors[id(section)])
        ]
        if not sections:
            continue
        plans = [_deprecation_plan(document, section) for section in sections]
        best = max(plans, key=lambda plan: (plan.condition + plan.successor + (plan.steps >= 2), plan.steps))
        yield _judge_plan(ctx, path, document, best)


def _judge_plan(ctx: DetectorContext, path: str, document: MarkdownDocument, plan: _Plan) -> Evidence:
    where = {"path": path, "line": plan.line, "values": {"steps": float(plan.steps)}}
    if plan.empty:
        return ctx.partial(DEPRECATION, "deprecation section is empty or a placeholder", **where)
    missing: list[str] = []
    if not plan.condition:
        missing.append("no retirement conditions")
    if not plan.successor:
        missing.append("no successor or fallback")
    if plan.steps < 2:
        missing.append("no decommissioning steps" if not plan.steps else "only 1 decommissioning step")
    if missing:
        return ctx.partial(DEPRECATION, f"deprecation plan has {'; '.join(missing)}", **where)
    what = (f"deprecation plan with retirement conditions, a successor and {plan.steps} decommissioning steps "
            f"({', '.join(plan.targets)})")
    stale = _stale(ctx, _last_review(ctx, [document]))
    if stale:
        return ctx.partial(DEPRECATION, f"{what}, but it was {stale}", **where)
    return ctx.supports(DEPRECATION, what, **where)


DETECTORS: tuple[Detector, ...] = (failure_runbooks, success_metrics, ops_handoff, incident_response, deprecation_plan)
