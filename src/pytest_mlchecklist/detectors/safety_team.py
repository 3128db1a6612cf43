"""Safety-nets catalog items about how a team ships and talks: deployment automation, the
stakeholder communication plan, and the post-launch review. Every decision comes from parsed
content (CI pipelines through :mod:`.ci_workflows`, Kubernetes YAML, Markdown by structure).

``deployment-automation``
    ``deploy-pipeline``: a CI step (GitHub Actions, GitLab CI; ``make`` targets followed) that
    deploys (global options before the verb skipped: ``kubectl -n NS apply``):
    ``kubectl apply|replace|set image|rollout restart`` (not ``--dry-run``),
    ``helm upgrade|install``, ``helmfile apply|sync``, ``argocd app sync``, ``terraform|tofu apply``,
    ``pulumi up``, ``gcloud ... deploy``, ``aws sagemaker create-endpoint|update-endpoint``,
    ``aws ecs update-service``, ``az ml online-deployment create|update``, ``sam|cdk|serverless
    deploy``, ``mlflow deployments create|update``, ``kn service create|update``, ``skaffold
    run|deploy``, ``bentoml deploy``, ``flyctl deploy``; a deploy action (``uses:`` whose name says
    deploy, e.g. ``azure/k8s-deploy``); or a Python script run by CI that calls ``deploy``,
    ``create_endpoint``, ``update_endpoint`` or ``deploy_model``: ``supports``, naming the trigger.
    Copying files to servers with ``ssh``/``scp``/``rsync`` from CI: ``partial``. Publishing an
    image only (``docker push``) is not a deploy; a workflow that only runs tests gives nothing,
    and neither does a job that applies manifests to a throwaway cluster it created (kind,
    minikube, k3d).
    ``gitops-manifests``: an Argo CD ``Application`` / ``ApplicationSet`` with a source and a
    destination, a Flux ``Kustomization`` with a ``sourceRef``, or a Flux ``HelmRelease`` with a
    chart: ``supports`` (``suspend: true``: ``partial``).
    ``manual-deploy-runbook``: a Markdown section about deploying / releasing / restarting that tells
    people to ``ssh`` into a host (a list item or prose line; "never ssh" is not an instruction):
    ``contradicts``, because the deploy path still depends on a person on a server.

``stakeholder-communication``
    ``stakeholder-comms-plan``: a Markdown section about a communication plan (stakeholder
    communication / updates / notifications, comms plan, who to notify) that names at least two
    audiences (product, business, support, sales, marketing, legal, leadership, customers...), a
    channel (Slack ``#channel``, e-mail, status page, meeting...), who sends (a person or team, or a
    role that sends, such as "the incident commander posts") and when (within N minutes, when a
    rollback starts, per severity...), with a review date at most ``review_max_days`` old.
    Message templates under the plan are read as part of it. All of it: ``supports``; otherwise
    ``partial`` naming what is missing.

``post-launch-review``
    ``post-launch-review-document``: a Markdown section about the post-launch review /
    retrospective (not post-launch *monitoring*, nor a pre-launch / launch-readiness review) with a
    dated review entry (the ``Date:`` line; follow-up dates are never the review date), an owner
    and an agenda or metrics to review (at least two list items), in a document that gives the
    launch date; the review must fall after the launch. A past review with notes (a notes / findings / outcome / action items
    sub-section with content) counts on its own. A section that never dates the review, a review
    dated before launch, or a missing owner / agenda: ``partial``.
    ``post-launch-review-schedule``: YAML/JSON (a calendar or ops file) with a mapping for the
    review (key or ``type``/``name`` about a post-launch review or retrospective) holding a date
    after the document's ``launch_date`` (``go_live``, ``release_date``), an owner and an agenda
    or metrics list: ``supports``; less: ``partial``.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pytest_mlchecklist.detectors.base import Detector, DetectorContext, detector
from pytest_mlchecklist.detectors.ci_workflows import CiStep, Command, ci_pipelines, expand_command
from pytest_mlchecklist.detectors.kubernetes import display
from pytest_mlchecklist.detectors.org_documents import join_names
from pytest_mlchecklist.detectors.python_code import is_test_path
from pytest_mlchecklist.detectors.runbooks import plain_title, top_level_matches
from pytest_mlchecklist.detectors.safety_documents import (
    Dated,
    all_dates,
    candidate_documents,
    date_of,
    dated_lines,
    latest_past,
    people,
    review_age_problem,
    section_lines,
    without_follow_ups,
)
from pytest_mlchecklist.evidence import Evidence
from pytest_mlchecklist.markdown import MarkdownDocument, MarkdownSection

DEPLOY = "deployment-automation"
COMMS = "stakeholder-communication"
RETRO = "post-launch-review"


# ====================================================================== deployment-automation
_KUBECTL_DEPLOY = frozenset({"apply", "replace"})
#: Programs and actions that start a throwaway cluster: what a job applies there is a test, not a deploy.
_EPHEMERAL_CLUSTER = frozenset({"kind", "minikube", "k3d", "ctlptl"})
_EPHEMERAL_ACTION = re.compile(r"kind-action|setup-minikube|k3d|setup-kind", re.IGNORECASE)
_AWS_DEPLOY = {
    "sagemaker": frozenset({"create-endpoint", "update-endpoint"}),
    "ecs": frozenset({"update-service"}),
    "lambda": frozenset({"update-function-code"}),
    "cloudformation": frozenset({"deploy"}),
    "deploy": frozenset({"create-deployment"}),
}
_DEPLOY_ACTION = re.compile(r"deploy", re.IGNORECASE)
_DEPLOY_HINT = re.compile(r"deploy|kubectl|helm|argocd|terraform|tofu|pulumi|gcloud|\baws\b|\baz\b|skaffold|\bkn\b|mlflow|\bssh\b",
                          re.IGNORECASE)
_PY_DEPLOY_CALLS = frozenset({"deploy", "create_endpoint", "update_endpoint", "deploy_model", "create_deployment",
                              "update_deployment", "begin_create_or_update"})
_REMOTE_COPY = frozenset({"ssh", "scp", "rsync"})


#: Options that take their value in the next word (``-n NS``; ``--namespace=NS`` is one word), per program, so
#: that the value of a global option written before the verb is not read as the verb.
_VALUE_OPTIONS: dict[str, frozenset[str]] = {
    "kubectl": frozenset({
        "-n", "--namespace", "--context", "--cluster", "--user", "--kubeconfig", "-s", "--server", "--token",
        "--as", "--as-group", "--as-uid", "--request-timeout", "--certificate-authority", "--client-certificate",
        "--client-key", "--tls-server-name", "--cache-dir", "--log-file", "-v", "--v", "--profile",
        "--profile-output", "-f", "--filename", "-k", "--kustomize", "-l", "--selector", "-o", "--output",
        "-c", "--container", "--field-manager",
    }),
    "helm": frozenset({
        "-n", "--namespace", "--kube-context", "--kubeconfig", "--kube-apiserver", "--kube-token",
        "--kube-as-user", "--kube-as-group", "--kube-ca-file", "--kube-tls-server-name", "--registry-config",
        "--repository-cache", "--repository-config", "--burst-limit", "--qps",
    }),
    "helmfile": frozenset({
        "-f", "--file", "-e", "--environment", "-n", "--namespace", "--kube-context", "-l", "--selector",
        "--state-values-file", "--state-values-set", "-c", "--chart", "--helm-binary", "-b",
    }),
    "argocd": frozenset({"--server", "--auth-token", "--config", "--grpc-web-root-path", "--argocd-context",
                         "--kube-context", "--port-forward-namespace", "--logformat", "--loglevel", "--header", "-H"}),
    "aws": frozenset({"--region", "--profile", "--output", "--endpoint-url", "--cli-read-timeout",
                      "--cli-connect-timeout", "--ca-bundle", "--query", "--color"}),
    "az": frozenset({"--subscription", "--output", "-o", "--query"}),
    "pulumi": frozenset({"-C", "--cwd", "-s", "--stack"}),
    "skaffold": frozenset({"-p", "--profile", "-f", "--filename", "--kube-context", "-n", "--namespace"}),
}


def _positional_words(program: str, argv: tuple[str, ...]) -> list[str]:
    """The words of ``argv`` (after the program) that are neither options nor option values."""
    takes_value = _VALUE_OPTIONS.get(program, frozenset())
    words: list[str] = []
    skip_next = False
    for word in argv[1:]:
        if skip_next:
            skip_next = False
        elif word.startswith("-"):
            skip_next = "=" not in word and word in takes_value
        else:
            words.append(word)
    return words


def _deploy_command(argv: tuple[str, ...]) -> str | None:
    """A short name of the deploy a command performs, or ``None``."""
    if not argv:
        return None
    program = argv[0].rsplit("/", 1)[-1]
    words = _positional_words(program, argv)
    if any(word.startswith("--dry-run") for word in argv):
        return None
    first = words[0] if words else ""
    second = words[1] if len(words) > 1 else ""
    if program == "kubectl":
        if first in _KUBECTL_DEPLOY or (first == "set" and second == "image") or (first == "rollout" and second == "restart"):
            return f"kubectl {first}"
        return None
    if program == "helm" and first in ("upgrade", "install"):
        return f"helm {first}"
    if program == "helmfile" and first in ("apply", "sync"):
        return f"helmfile {first}"
    if program == "argocd" and first == "app" and second in ("sync", "create", "set"):
        return f"argocd app {second}"
    if program in ("terraform", "tofu", "terragrunt") and first == "apply":
        return f"{program} apply"
    if program == "pulumi" and first == "up":
        return "pulumi up"
    if program == "gcloud":
        verb = next((position for position, word in enumerate(words) if word in ("deploy", "deploy-model")), None)
        return None if verb is None else "gcloud " + " ".join(words[: verb + 1])
    if program == "aws" and second in _AWS_DEPLOY.get(first, frozenset()):
        return f"aws {first} {second}"
    if program == "az" and first == "ml" and second in ("online-deployment", "batch-deployment", "online-endpoint") and \
            any(word in ("create", "update") for word in words[2:3]):
        return f"az ml {second} {words[2]}"
    if program in ("sam", "cdk", "serverless", "sls", "flyctl", "fly", "bentoml", "eb", "vercel") and first == "deploy":
        return f"{program} deploy"
    if program == "mlflow" and first == "deployments" and second in ("create", "update"):
        return f"mlflow deployments {second}"
    if program == "kn" and first == "service" and second in ("create", "update", "apply"):
        return f"kn service {second}"
    if program == "skaffold" and first in ("run", "deploy"):
        return f"skaffold {first}"
    if program == "kapp" and first == "deploy":
        return "kapp deploy"
    return None


def _python_deploy(ctx: DetectorContext, command: Command) -> str | None:
    """A deploy call in a repository script that a CI command runs with ``python script.py``."""
    call = command.python_call()
    if call is None or call.script is None or call.script not in ctx.index:
        return None
    tree = ctx.index.python_ast(call.script)
    if tree is None:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _PY_DEPLOY_CALLS:
            return f"`{call.script}` calls `{node.func.attr}`"
    return None


def _trigger_phrase(step: CiStep) -> str:
    triggers = sorted(step.triggers)
    if step.manual or triggers == ["workflow_dispatch"]:
        return "started from the pipeline by hand"
    return "on " + join_names(triggers) if triggers else "in CI"


@dataclass(frozen=True)
class _Deploy:
    step: CiStep
    what: str
    line: int | None


def _step_deploys(ctx: DetectorContext, step: CiStep) -> tuple[_Deploy | None, _Deploy | None]:
    """(a deploy, a remote copy over SSH) found in one CI step."""
    if step.uses and _DEPLOY_ACTION.search(step.uses.split("@", 1)[0]):
        return _Deploy(step, f"action `{step.uses.split('@', 1)[0]}`", step.line), None
    remote: _Deploy | None = None
    for command in step.commands():
        for candidate in [command, *expand_command(ctx.index, command)]:
            found = _deploy_command(candidate.argv)
            if found is None:
                found = _python_deploy(ctx, candidate)
            else:
                found = f"`{found}`"
            if found is not None:
                return _Deploy(step, found, candidate.line), None
            if candidate.program in _REMOTE_COPY and remote is None:
                remote = _Deploy(step, f"`{candidate.program}`", candidate.line)
    return None, remote


def _ephemeral_jobs(steps: list[CiStep]) -> set[tuple[str, str]]:
    """(path, job) of jobs that create a throwaway cluster (kind, minikube, k3d) to test against."""
    found: set[tuple[str, str]] = set()
    for step in steps:
        if step.uses and _EPHEMERAL_ACTION.search(step.uses):
            found.add((step.path, step.job))
            continue
        if any(command.program in _EPHEMERAL_CLUSTER for command in step.commands()):
            found.add((step.path, step.job))
    return found


@detector(
    name="deploy-pipeline",
    items=(DEPLOY,),
    looks_for="a CI job that deploys (kubectl apply, helm upgrade, argocd app sync, terraform apply, cloud deploy "
    "commands, a deploy action) in GitHub Actions or GitLab CI",
)
def deploy_pipeline(ctx: DetectorContext) -> Iterator[Evidence]:
    """Deploys run by CI/CD pipelines."""
    pipelines = ci_pipelines(ctx.index)
    for path, reason in pipelines.unreadable:
        # Only a broken pipeline that may deploy keeps the item undecided.
        if _DEPLOY_HINT.search(ctx.index.read_text(path) or "deploy"):
            yield ctx.evidence(DEPLOY, f"could not decide from this file: {reason}", verdict="unreadable", path=path)
    remote: _Deploy | None = None
    reported: set[str] = set()
    steps = list(pipelines.steps())
    ephemeral = _ephemeral_jobs(steps)
    for step in steps:
        if step.path in reported or (step.path, step.job) in ephemeral:
            continue
        deploy, copy = _step_deploys(ctx, step)
        if deploy is not None:
            reported.add(step.path)
            yield ctx.supports(DEPLOY, f"CI job `{step.job}` deploys with {deploy.what}, {_trigger_phrase(step)}",
                               path=step.path, line=deploy.line)
        elif copy is not None and remote is None:
            remote = copy
    if not reported and remote is not None:
        yield ctx.partial(DEPLOY, f"CI job `{remote.step.job}` copies to servers with {remote.what}: scripted, but the "
                          "servers are still changed by hand-made commands; deploy through an orchestrator or "
                          "platform API", path=remote.step.path, line=remote.line)


_GITOPS_HINT = re.compile(r"argoproj\.io|fluxcd\.io")


def _judge_gitops(ctx: DetectorContext, path: str, text: str, document: dict[str, Any]) -> Evidence | None:
    kind = document.get("kind")
    api = str(document.get("apiVersion") or "")
    spec = document.get("spec") if isinstance(document.get("spec"), dict) else {}
    metadata = document.get("metadata") if isinstance(document.get("metadata"), dict) else {}
    name = display(str(metadata.get("name") or "(unnamed)"))
    match = re.search(rf"^kind:\s*{re.escape(str(kind))}\s*$", text, re.MULTILINE)
    line = text.count("\n", 0, match.start()) + 1 if match else None
    where = {"path": path, "line": line}
    if api.startswith("argoproj.io/") and kind in ("Application", "ApplicationSet"):
        body = spec.get("template", {}).get("spec", {}) if kind == "ApplicationSet" and isinstance(spec.get("template"), dict) else spec
        has_source = isinstance(body, dict) and (isinstance(body.get("source"), dict) or isinstance(body.get("sources"), list))
        has_destination = isinstance(body, dict) and isinstance(body.get("destination"), dict)
        if not (has_source and has_destination):
            return ctx.partial(DEPLOY, f"Argo CD {kind} `{name}` has no source or destination", **where)
        policy = body.get("syncPolicy") if isinstance(body, dict) else None
        automated = isinstance(policy, dict) and "automated" in policy
        how = "syncs automatically" if automated else "is synced from Git through Argo CD"
        return ctx.supports(DEPLOY, f"Argo CD {kind} `{name}` {how}", **where)
    if api.startswith("kustomize.toolkit.fluxcd.io/") and kind == "Kustomization" or \
            api.startswith("helm.toolkit.fluxcd.io/") and kind == "HelmRelease":
        source = spec.get("sourceRef") if kind == "Kustomization" else spec.get("chart") or spec.get("chartRef")
        if not source:
            return ctx.partial(DEPLOY, f"Flux {kind} `{name}` has no source", **where)
        if spec.get("suspend") is True:
            return ctx.partial(DEPLOY, f"Flux {kind} `{name}` is suspended, so nothing is deployed from Git", **where)
        return ctx.supports(DEPLOY, f"Flux {kind} `{name}` deploys from Git", **where)
    return None


@detector(
    name="gitops-manifests",
    items=(DEPLOY,),
    looks_for="an Argo CD Application/ApplicationSet or a Flux Kustomization/HelmRelease that deploys from Git",
)
def gitops_manifests(ctx: DetectorContext) -> Iterator[Evidence]:
    """GitOps controllers that deploy from the repository."""
    for path in ctx.candidates(DEPLOY, ctx.index.with_suffix(".yaml", ".yml")):
        if not path.lower().endswith((".yaml", ".yml")) or is_test_path(path):
            continue
        text = ctx.index.read_text(path)
        if text is None or not _GITOPS_HINT.search(text):
            continue
        documents = ctx.index.yaml_documents(path)
        if documents is None:
            yield ctx.unreadable(DEPLOY, path)
            continue
        for document in documents:
            if isinstance(document, dict):
                found = _judge_gitops(ctx, path, text, document)
                if found is not None:
                    yield found


_DEPLOY_HEADING = re.compile(r"deploy|release|roll[\s-]?out|\bship|restart|hot[\s-]?fix|upgrade|roll[\s-]?back|promot", re.IGNORECASE)
_SSH_INSTRUCTION = re.compile(r"(?<![\w-])ssh\s+(?:-\S+\s+(?:\S+\s+)?)*[\w@.${}-]+")
_NEGATION = re.compile(r"\b(?:never|don'?t|do\s+not|no\s+longer|instead\s+of|avoid|must\s+not|not\s+allowed|without)\b", re.IGNORECASE)
_SSH_HINT = re.compile(r"\bssh\b", re.IGNORECASE)
_DEPLOY_DOC_PATH = re.compile(r"deploy|release|runbook|playbook|(?:^|/)ops/", re.IGNORECASE)


@detector(
    name="manual-deploy-runbook",
    items=(DEPLOY,),
    looks_for="a deploy or release runbook that tells people to `ssh` into servers (a contradiction)",
)
def manual_deploy_runbook(ctx: DetectorContext) -> Iterator[Evidence]:
    """Runbooks whose deploy path is a person on a server."""
    for path, document in candidate_documents(ctx, DEPLOY, _SSH_HINT, _DEPLOY_DOC_PATH):
        if document is None:
            continue  # a document we cannot read cannot contradict anything
        for section in top_level_matches(document, _DEPLOY_HEADING):
            hits = [line for line, text in section_lines(document, section, titles=False) if _tells_to_ssh(text)]
            if hits:
                yield ctx.contradicts(DEPLOY, f"section \"{_short(plain_title(section.title))}\" tells people to deploy by "
                                      "logging into servers with `ssh`; deploy through the pipeline instead",
                                      path=path, line=hits[0])
                break


def _tells_to_ssh(text: str) -> bool:
    """True for a line that tells the reader to ``ssh`` into a host (not "never ssh ...")."""
    match = _SSH_INSTRUCTION.search(text)
    return match is not None and not _NEGATION.search(text[: match.start()])


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# ====================================================================== stakeholder-communication
_COMMS_HEADING = re.compile(
    r"communication|\bcomms\b|stakeholder\s+(?:updates?|notifications?)|who\s+to\s+(?:notify|inform|tell)|"
    r"notify(?:ing)?\s+stakeholders|status\s+updates?",
    re.IGNORECASE,
)
_COMMS_PATH = re.compile(r"comm|stakeholder|launch", re.IGNORECASE)
_AUDIENCES = {
    "product": re.compile(r"\bproduct\b", re.IGNORECASE),
    "business": re.compile(r"\bbusiness\b", re.IGNORECASE),
    "support": re.compile(r"\bsupport\b|customer\s+success|\bcs\s+team", re.IGNORECASE),
    "sales": re.compile(r"\bsales\b|account\s+managers?", re.IGNORECASE),
    "marketing": re.compile(r"\bmarketing\b", re.IGNORECASE),
    "legal / compliance": re.compile(r"\blegal\b|\bcompliance\b|\brisk\b", re.IGNORECASE),
    "leadership": re.compile(r"leadership|executives?|\bexecs?\b|\bvp\b|\bcto\b|\bceo\b|director", re.IGNORECASE),
    "customers": re.compile(r"\bcustomers?\b|\busers\b|\bpartners?\b|merchants?", re.IGNORECASE),
    "operations": re.compile(r"\boperations\b|\bops\s+team|\bsre\b", re.IGNORECASE),
}
_CHANNEL = re.compile(
    r"(?<![\w&])#[a-z][\w-]{2,}|\bslack\b|e-?mail|mailing\s+list|status\s*page|statuspage|\bteams\b|\bzoom\b|"
    r"\bmeeting\b|\bbridge\b|\bcall\b|\bsms\b|pagerduty|opsgenie|incident\.io|\bjira\b|newsletter|announcement",
    re.IGNORECASE,
)
_SENDER_ROLE = re.compile(
    r"(?:incident\s+commander|comms?\s+lead|communications?\s+lead|on[\s-]?call|product\s+manager|\bpm\b|"
    r"engineering\s+manager|model\s+owner|release\s+manager|launch\s+owner|owner|lead)\b[^.]{0,60}?"
    r"\b(?:sends?|posts?|notif(?:y|ies)|e-?mails?|updates?|announces?|informs?|writes?|owns?)\b|"
    r"\b(?:sent|posted|owned|written)\s+by\b|\b(?:sender|owner|responsible)\s*[:\-–]",
    re.IGNORECASE,
)
_WHEN = re.compile(
    r"\bwithin\s+\d+|\bevery\s+\d+|\b\d+\s*(?:minutes?|mins?|hours?|h)\b|\bimmediately\b|\bas\s+soon\s+as\b|"
    r"\b(?:when|once|before|after)\b[^.]{0,40}\b(?:rollback|roll\s+back|incident|launch|decid|declared|start|resolved|sev)|"
    r"\bsev(?:erity)?[\s-]?[0-4]\b|\bp[0-4]\b",
    re.IGNORECASE,
)
_REVIEW_LABEL = re.compile(r"last[\s_-]+(?:reviewed|updated|revised)|\breviewed(?:\s+on)?\b|\bapproved\b|\bupdated\s+on\b|\breview\s+date",
                           re.IGNORECASE)
_PLAN_HEADING = re.compile(r"plan|stakeholder|notif|comms", re.IGNORECASE)
_TEMPLATE_HEADING = re.compile(r"template|message|announcement|wording", re.IGNORECASE)


def _document_lines(document: MarkdownDocument) -> list[tuple[int, str]]:
    """Every prose line and heading of a document."""
    lines: list[tuple[int, str]] = []
    for section in document.all_sections():
        lines.extend(section.text_lines())
        if section.level:
            lines.append((section.line, section.title))
    return lines


def _judge_comms(ctx: DetectorContext, path: str, document: MarkdownDocument, section: MarkdownSection) -> tuple[int, Evidence]:
    lines = section_lines(document, section)
    where = {"path": path, "line": section.line}
    if not lines:
        return 0, ctx.partial(COMMS, "communication plan heading with nothing under it", **where)
    text_lines = [text for _, text in lines]
    audiences = [name for name, pattern in _AUDIENCES.items() if any(pattern.search(text) for text in text_lines)]
    channel = any(_CHANNEL.search(text) for text in text_lines)
    if not audiences and not channel and not _PLAN_HEADING.search(plain_title(section.title)):
        return -1, ctx.partial(COMMS, "not a communication plan", **where)  # another kind of communication
    sender = any(people(text) or _SENDER_ROLE.search(text) for text in text_lines)
    when = any(_WHEN.search(text) for text in text_lines)
    templates = sum(1 for nested in document.subtree(section)[1:] if _TEMPLATE_HEADING.search(plain_title(nested.title)))
    review = latest_past(dated_lines(_document_lines(document), _REVIEW_LABEL, window=40), ctx.today)
    missing: list[str] = []
    if len(audiences) < 2:
        missing.append("at least two audiences (product, business, support...)" if not audiences
                       else f"a second audience besides {audiences[0]}")
    if not channel:
        missing.append("the channels (Slack channel, e-mail, status page...)")
    if not sender:
        missing.append("who sends the updates")
    if not when:
        missing.append("when updates go out (e.g. within 30 minutes of a rollback decision)")
    stale = review_age_problem(ctx, review, "the plan's last review")
    if stale:
        missing.append(stale)
    if missing:
        return 5 - len(missing), ctx.partial(COMMS, "communication plan is missing " + join_names(missing), **where)
    assert review is not None
    extra = f", {templates} message template{'s' if templates != 1 else ''}" if templates else ""
    return 10, ctx.supports(COMMS, f"communication plan for {join_names(audiences[:4])} with channels, senders and timing"
                            f"{extra}; reviewed {review.text}", values={"review_age_days": float((ctx.today - review.value).days)},
                            **where)


@detector(
    name="stakeholder-comms-plan",
    items=(COMMS,),
    looks_for="a Markdown communication plan naming audiences (product, business, support...), channels, who sends "
    "and when, reviewed within `review_max_days`",
)
def stakeholder_comms_plan(ctx: DetectorContext) -> Iterator[Evidence]:
    """Communication plans for product and business stakeholders."""
    for path, document in candidate_documents(ctx, COMMS, _COMMS_HEADING, _COMMS_PATH):
        if document is None:
            yield ctx.unreadable(COMMS, path)
            continue
        judged = [_judge_comms(ctx, path, document, section) for section in top_level_matches(document, _COMMS_HEADING)]
        judged = [pair for pair in judged if pair[0] >= 0]
        if judged:
            yield max(judged, key=lambda pair: pair[0])[1]


# ====================================================================== post-launch-review
_RETRO_HEADING = re.compile(
    r"post[\s-]?launch\s+(?:review|retro\w*|check[\s-]?in|debrief)|retrospective|\bretro\b|launch\s+review|"
    r"post[\s-]?release\s+review|post[\s-]?implementation\s+review|"
    r"\bpir\b|post[\s-]?deployment\s+review",
    re.IGNORECASE,
)
_RETRO_PATH = re.compile(r"launch|retro|release|review", re.IGNORECASE)
_LAUNCH_LABEL = re.compile(r"launch(?:ed)?(?:\s+date)?|go[\s-]?live|release\s+date|ship\s+date|general\s+availability|\bGA\b",
                           re.IGNORECASE)
_NOTES_HEADING = re.compile(r"notes|findings|outcomes?|action\s+items|learnings|lessons|what\s+went|results|minutes", re.IGNORECASE)
_LAUNCH_LINE = re.compile(
    r"^\W*(?:launch(?:ed)?(?:\s+date)?|go[\s-]?live(?:\s+date)?|release\s+date|ship\s+date)\W*(?:on\s+)?\d{4}-\d{2}-\d{2}",
    re.IGNORECASE,
)
_REVIEW_DATE_LABEL = re.compile(r"\bdate\b|scheduled|\bwhen\b|\bheld\b|\bretro|\breview|calendar|meeting", re.IGNORECASE)
#: A field line giving the review's own date (``- Date: 2026-12-16``, ``Scheduled for 2026-12-16``, ``Held on ...``).
_DATE_FIELD = re.compile(r"^\W*(?:(?:review|retro\w*|meeting)\s+)?(?:date|when|scheduled(?:\s+(?:for|on))?|held(?:\s+on)?)\b",
                         re.IGNORECASE)
#: Reviews held before launch (pre-launch, launch-readiness, go/no-go): not a post-launch review.
_PRE_LAUNCH = re.compile(r"pre[\s-]?launch|pre[\s-]?release|launch[\s-]+readiness|readiness\s+review|go\s*/\s*no[\s-]?go|"
                         r"pre[\s-]?mortem", re.IGNORECASE)
_EXPLICITLY_POST = (r"post[\s-]?launch\s+(?:review|retro\w*|check[\s-]?in|debrief)|"
                    r"post[\s-]?(?:release|implementation|deployment)\s+review|\bpir\b")
#: A review heading read as a post-launch review: explicitly post-launch, or a retrospective / launch review whose
#: heading does not say it is held before launch ("Pre-launch review", "Launch readiness review").
_POST_LAUNCH_HEADING = re.compile(rf"{_EXPLICITLY_POST}|^(?!.*(?:{_PRE_LAUNCH.pattern})).*(?:{_RETRO_HEADING.pattern})",
                                  re.IGNORECASE | re.DOTALL)
_FIELD_LINE = re.compile(r"^\W*(?:date|when|owner|facilitator|organi[sz]er|host|notes?|scheduled(?:\s+for)?)\s*[:\-–]", re.IGNORECASE)
_OWNER_LINE = re.compile(r"\b(?:owner|facilitator|organi[sz]er|host|led\s+by|run\s+by|driver)\b", re.IGNORECASE)


def _launch_date(document: MarkdownDocument, section: MarkdownSection) -> Dated | None:
    """The launch date the document gives: a date near *launch* / *go-live* outside the review
    section, else a line of the section that starts with it (``Launch date: 2026-11-16``)."""
    inside = {id(nested) for nested in document.subtree(section)}
    outside: list[tuple[int, str]] = []
    own: list[tuple[int, str]] = []
    for nested in document.all_sections():
        lines = list(nested.text_lines()) + ([(nested.line, nested.title)] if nested.level else [])
        if id(nested) not in inside:
            outside.extend(lines)
        else:
            own.extend((line, text) for line, text in lines if _LAUNCH_LINE.match(text))
    for lines in (outside, own):
        mentions = [Dated(mention.value, mention.text, mention.line)
                    for mention in dated_lines(lines, _LAUNCH_LABEL, window=30) if mention.value is not None]
        if mentions:
            return min(mentions, key=lambda dated: dated.line)
    return None


def _judge_retro(ctx: DetectorContext, path: str, document: MarkdownDocument, section: MarkdownSection) -> tuple[int, Evidence]:
    where = {"path": path, "line": section.line}
    lines = section_lines(document, section)
    if not lines:
        return 0, ctx.partial(RETRO, "post-launch review heading with nothing under it", **where)
    subtree = document.subtree(section)
    own_lines = [(line, text) for line, text in lines if not _LAUNCH_LINE.match(text)]
    # Dates after "follow-up" / "Next review" belong to a later event; they stand in only when nothing else is dated.
    current = [(line, without_follow_ups(text)) for line, text in own_lines]
    dates = [Dated(mention.value, mention.text, mention.line) for mention in all_dates(current) if mention.value is not None] or \
        [Dated(mention.value, mention.text, mention.line) for mention in all_dates(own_lines) if mention.value is not None]
    notes = any(_NOTES_HEADING.search(plain_title(nested.title)) and not nested.is_empty() for nested in subtree[1:])
    owners = [person for _, text in lines for person in people(text)]
    owner_named = bool(owners) or any(_OWNER_LINE.search(text) and len(text.split()) >= 3 for _, text in lines)
    agenda = sum(
        1 for nested in subtree for item in nested.substantive_items()
        if len(item.text.split()) >= 2 and not _FIELD_LINE.match(item.text)
    )
    launch = _launch_date(document, section)
    if not dates:
        return 1, ctx.partial(RETRO, "post-launch review is mentioned but never dated; put it in the calendar and write "
                              "the date (YYYY-MM-DD)", **where)
    fields = [Dated(mention.value, mention.text, mention.line)
              for mention in dated_lines([(line, text) for line, text in current if _DATE_FIELD.match(text)],
                                         _REVIEW_DATE_LABEL, window=30) if mention.value is not None]
    labelled = [Dated(mention.value, mention.text, mention.line)
                for mention in dated_lines(current, _REVIEW_DATE_LABEL, window=30) if mention.value is not None]
    # The date written as the review's date ("Date: ...", then "Retro on ...") wins over dates in the agenda.
    review = min(fields or labelled, key=lambda dated: dated.line) if fields or labelled else \
        max(dates, key=lambda dated: dated.value)
    if review.value <= ctx.today and notes:
        return 10, ctx.supports(RETRO, f"post-launch review held {review.text} with notes", **where)
    missing: list[str] = []
    if launch is None:
        missing.append("the launch date (`Launch date: YYYY-MM-DD`), to place the review after it")
    elif review.value <= launch.value:
        return 2, ctx.partial(RETRO, f"post-launch review dated {review.text}, not after the launch ({launch.text})", **where)
    if not owner_named:
        missing.append("an owner")
    if agenda < 2:
        missing.append("an agenda or the metrics to review (at least two items)")
    if review.value <= ctx.today:
        missing.append("notes from the review (it is dated in the past)")
    if missing:
        return 5 - len(missing), ctx.partial(RETRO, f"post-launch review dated {review.text} is missing {join_names(missing)}",
                                             **where)
    assert launch is not None
    after = (review.value - launch.value).days
    return 10, ctx.supports(RETRO, f"post-launch review scheduled {review.text}, {after} days after launch, with an owner "
                            f"and {agenda} agenda items", values={"days_after_launch": float(after)}, **where)


@detector(
    name="post-launch-review-document",
    items=(RETRO,),
    looks_for="a Markdown post-launch review / retrospective entry dated after the launch date, with an owner and an "
    "agenda, or a past review with notes",
)
def post_launch_review_document(ctx: DetectorContext) -> Iterator[Evidence]:
    """Post-launch reviews written in launch documents."""
    for path, document in candidate_documents(ctx, RETRO, _RETRO_HEADING, _RETRO_PATH):
        if document is None:
            yield ctx.unreadable(RETRO, path)
            continue
        judged = [_judge_retro(ctx, path, document, section) for section in top_level_matches(document, _POST_LAUNCH_HEADING)]
        if judged:
            yield max(judged, key=lambda pair: pair[0])[1]


_RETRO_KEY = re.compile(r"post_?launch|retro(?:spective)?|launch_review|post_release_review|pir$", re.IGNORECASE)
_LAUNCH_KEYS = frozenset({"launch", "launch_date", "launched", "launched_on", "go_live", "go_live_date", "golive", "release_date",
                          "ga_date"})
_DATE_KEYS = frozenset({"date", "when", "scheduled", "scheduled_for", "scheduled_on", "on", "at", "start", "starts", "held_on"})
_OWNER_KEYS = frozenset({"owner", "owners", "facilitator", "organizer", "organiser", "host", "lead", "driver"})
_AGENDA_KEYS = frozenset({"agenda", "metrics", "topics", "review_metrics", "questions", "items"})


def _retro_mappings(node: Any, inherited: bool = False) -> Iterator[dict[str, Any]]:
    """Mappings that describe a post-launch review (by their key, or by a type/name value)."""
    if isinstance(node, dict):
        label = " ".join(str(node.get(key, "")) for key in ("type", "kind", "name", "title", "event"))
        if inherited or _RETRO_KEY.search(label.replace(" ", "_").replace("-", "_")):
            yield node
        for key, value in node.items():
            key_text = str(key).replace("-", "_").replace(" ", "_")
            if isinstance(value, (dict, list)):
                yield from _retro_mappings(value, bool(_RETRO_KEY.search(key_text)) and isinstance(value, dict))
    elif isinstance(node, list):
        for value in node:
            yield from _retro_mappings(value)


def _launch_in(document: Any) -> dt.date | None:
    stack = [document]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            for key, value in current.items():
                if str(key).lower().replace("-", "_") in _LAUNCH_KEYS and date_of(value) is not None:
                    return date_of(value)
                stack.append(value)
        elif isinstance(current, list):
            stack.extend(current)
    return None


@detector(
    name="post-launch-review-schedule",
    items=(RETRO,),
    looks_for="a calendar or ops YAML/JSON entry for the post-launch review dated after `launch_date`, with an owner "
    "and an agenda or metrics list",
)
def post_launch_review_schedule(ctx: DetectorContext) -> Iterator[Evidence]:
    """Post-launch reviews scheduled in YAML or JSON."""
    for path in ctx.candidates(RETRO, ctx.index.with_suffix(".yaml", ".yml", ".json")):
        if is_test_path(path) or path.startswith((".github/", ".gitlab")):
            continue
        text = ctx.index.read_text(path)
        if text is None or not re.search(r"retro|post[_-]?launch|launch[_-]review", text, re.IGNORECASE):
            continue
        documents = ctx.index.structured(path)
        if documents is None:
            yield ctx.unreadable(RETRO, path)
            continue
        for document in documents:
            launch = _launch_in(document)
            for mapping in _retro_mappings(document):
                found = _judge_retro_mapping(ctx, path, text, mapping, launch)
                if found is not None:
                    yield found
                    break


def _judge_retro_mapping(ctx: DetectorContext, path: str, text: str, mapping: dict[str, Any],
                         launch: dt.date | None) -> Evidence | None:
    keys = {str(key).lower().replace("-", "_"): value for key, value in mapping.items()}
    date = next((date_of(value) for key, value in keys.items() if key in _DATE_KEYS and date_of(value) is not None), None)
    owner = next((value for key, value in keys.items() if key in _OWNER_KEYS and value and "tbd" not in str(value).lower()), None)
    agenda = next((value for key, value in keys.items() if key in _AGENDA_KEYS and isinstance(value, list)), [])
    match = re.search(r"retro|post[_-]?launch|launch[_-]review", text, re.IGNORECASE)
    line = text.count("\n", 0, match.start()) + 1 if match else None
    if date is None and owner is None and not agenda:
        return None
    missing: list[str] = []
    if date is None:
        missing.append("a date")
    elif launch is None:
        missing.append("the launch date (`launch_date`), to place the review after it")
    elif date <= launch:
        return ctx.partial(RETRO, f"post-launch review dated {date.isoformat()}, not after the launch ({launch.isoformat()})",
                           path=path, line=line)
    if owner is None:
        missing.append("an owner")
    if len(agenda) < 2:
        missing.append("an agenda or metrics list (at least two entries)")
    if missing:
        return ctx.partial(RETRO, f"scheduled post-launch review is missing {join_names(missing)}", path=path, line=line)
    assert date is not None and launch is not None
    return ctx.supports(RETRO, f"post-launch review scheduled {date.isoformat()}, {(date - launch).days} days after launch, "
                        f"with an owner and {len(agenda)} agenda items", path=path, line=line)


DETECTORS: tuple[Detector, ...] = (
    deploy_pipeline,
    gitops_manifests,
    manual_deploy_runbook,
    stakeholder_comms_plan,
    post_launch_review_document,
    post_launch_review_schedule,
)
