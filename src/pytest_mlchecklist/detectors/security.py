"""Security detectors: access-controlled artifact storage (41), authenticated and rate-limited
endpoints (42) and injection-safe inputs (44).

Artifact storage (``artifact-access-control``): detector ``artifact-storage-terraform``
    Terraform (``.tf``, read with the block reader of :mod:`.terraform`) that declares storage
    buckets. A bucket counts as artifact storage when its resource label or name says so
    (model, artifact, mlflow, dataset, registry, feature, training, checkpoint, weights, data...)
    or the file is declared under ``evidence:``; buckets that receive access logs are not.
    For each artifact bucket two controls are looked for:

    * **public access blocked**: S3 ``aws_s3_bucket_public_access_block`` with the four flags
      ``true`` (or ``aws_s3_account_public_access_block``); GCS ``uniform_bucket_level_access =
      true`` and ``public_access_prevention = "enforced"``; Azure storage account with
      ``allow_nested_items_to_be_public = false`` (``allow_blob_public_access`` before 3.0).
    * **access logged**: ``aws_s3_bucket_logging`` (or the inline ``logging {}``), CloudTrail S3
      data events covering the bucket; GCS ``logging {}`` or a Data Access audit config for
      storage; an Azure ``azurerm_monitor_diagnostic_setting`` on the account.

    Both: **supports**. One of them: **partial**, naming the missing one. A public ACL
    (``public-read``...), a bucket policy that allows ``Principal: "*"`` without a condition, an
    ``allUsers``/``allAuthenticatedUsers`` IAM member, or a public Azure container:
    **contradicts**. A ``.tf`` file whose braces do not close is **unreadable**.

Endpoint auth (``endpoint-auth``): detector ``endpoint-auth``
    Prediction routes (POST/PUT routes, or any route whose path says predict, score, infer,
    classify, generate, embed, invocations...) of FastAPI/Starlette/Flask code, read with
    :mod:`ast`. A route is authenticated when an auth dependency applies to it (``Depends``/
    ``Security`` in its parameters, in ``dependencies=[...]`` of the decorator, its
    ``APIRouter``, ``include_router`` or the ``FastAPI`` app), an auth decorator wraps it
    (``login_required``, ``jwt_required``, ``auth.login_required`` or a repository decorator that
    rejects with 401/403), or an app-wide hook rejects unauthenticated requests
    (``before_request``, ``@app.middleware("http")``, ``add_middleware`` of an auth class). A
    dependency counts when it is a ``fastapi.security`` scheme or a function that raises/returns
    401/403 (directly or through another dependency). Rate limits: slowapi / flask-limiter
    ``@limiter.limit(...)`` on the route or ``default_limits`` on the limiter,
    fastapi-limiter ``RateLimiter`` dependencies, a dependency or middleware that answers 429.
    At the edge (Kubernetes YAML): Istio ``RequestAuthentication`` plus an
    ``AuthorizationPolicy`` requiring a principal, ingress-nginx ``auth-url``/``auth-type``
    annotations, Kong ``key-auth``/``jwt``/``openid-connect`` and Traefik ``forwardAuth``/
    ``basicAuth``; ingress-nginx ``limit-rps``/``limit-rpm``, Kong ``rate-limiting``, Traefik
    ``rateLimit`` and Envoy local rate limit filters.

    Every prediction route authenticated and a rate limit (code or edge): **supports**. Auth
    without rate limit, a rate limit without auth, some prediction routes unprotected (named),
    an auth dependency defined but applied to no route, or a RequestAuthentication without an
    AuthorizationPolicy: **partial**.

Input sanitisation (``input-sanitization``): detector ``input-sanitization``
    * The request models of the prediction routes (pydantic ``BaseModel`` classes annotating a
      handler parameter): a model is constrained when it has constraints (``Field`` with
      ``max_length``/``pattern``/``ge``/``le``..., ``constr``/``conint``/``conlist``,
      ``Literal``, validators, ``extra="forbid"``) and no unbounded ``str`` field.
    * Sanitisation calls in non-test code: ``html.escape``, ``markupsafe.escape``,
      ``bleach.clean``, prompt-injection scanners (``llm_guard``, ``rebuff``, guardrails).
    * Tests of hostile input (:mod:`.test_code`): a test that sends an oversized string,
      control characters or an injection string to the repository's code and asserts a
      rejection (``pytest.raises``, a 400/413/422 status, or that the payload is gone).
    * SQL built by formatting (f-string, ``%``, ``.format``, ``+``) and passed to ``execute``/
      ``read_sql``: from a function parameter **contradicts**; from other values **partial**.

    A constrained request model or a sanitiser, together with a hostile-input test:
    **supports** (carrying the test's node id). Either alone, or an unconstrained model:
    **partial**, naming what is missing.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pytest_mlchecklist.detectors.base import Detector, DetectorContext, detector, iter_nodes
from pytest_mlchecklist.detectors.kubernetes import display, manifest_candidates
from pytest_mlchecklist.detectors.python_code import dotted_name, import_aliases, is_test_path, resolve_alias
from pytest_mlchecklist.detectors.terraform import (
    HclBlock,
    HclError,
    attribute,
    bool_value,
    data_blocks,
    hcl_blocks,
    nested_blocks,
    string_value,
)
from pytest_mlchecklist.detectors.test_code import TestFunction, repository_tests
from pytest_mlchecklist.evidence import Evidence

ARTIFACTS = "artifact-access-control"
AUTH = "endpoint-auth"
INPUTS = "input-sanitization"


# ======================================================================== item 41: Terraform storage
_STORAGE_TYPES = frozenset(
    {
        "aws_s3_bucket", "aws_s3_bucket_public_access_block", "aws_s3_account_public_access_block",
        "aws_s3_bucket_logging", "aws_s3_bucket_acl", "aws_s3_bucket_policy", "aws_cloudtrail",
        "google_storage_bucket", "google_storage_bucket_iam_member", "google_storage_bucket_iam_binding",
        "google_storage_bucket_acl", "google_project_iam_audit_config", "google_organization_iam_audit_config",
        "google_folder_iam_audit_config", "azurerm_storage_account", "azurerm_storage_container",
        "azurerm_monitor_diagnostic_setting",
    }
)
_STORAGE_HINT = re.compile(r"\"(aws_s3_bucket|google_storage_bucket|azurerm_storage_account)\"")
_ARTIFACT_TOKENS = frozenset(
    {
        "model", "models", "artifact", "artifacts", "mlflow", "dataset", "datasets", "registry", "feature",
        "features", "training", "train", "checkpoint", "checkpoints", "weights", "ml", "mlops", "data",
        "datalake", "lake", "sagemaker", "experiments", "featurestore", "vertex", "raw", "curated", "dvc",
        "snapshots", "corpus", "labels",
    }
)
_PUBLIC_ACLS = frozenset({"public-read", "public-read-write", "authenticated-read"})
_S3_FLAGS = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")


@dataclass
class _Bucket:
    """An artifact-storage candidate and what the Terraform says about it."""

    cloud: str
    kind: str
    label: str
    name: str
    path: str
    line: int
    blocked: list[str] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)
    logged: list[str] = field(default_factory=list)
    public: list[tuple[str, str, int]] = field(default_factory=list)

    def matches(self, reference: str) -> bool:
        """True when a Terraform value refers to this bucket (``aws_s3_bucket.models.id`` or its name)."""
        if re.search(rf"\b{re.escape(self.kind)}\.{re.escape(self.label)}\b", reference):
            return True
        literal = string_value(reference)
        return literal is not None and literal == self.name


def is_artifact_name(text: str) -> bool:
    """True when a bucket's label or name says it holds models, artifacts or data."""
    tokens = {token for token in re.split(r"[^a-z0-9]+", text.lower()) if token}
    return bool(tokens & _ARTIFACT_TOKENS) or any(word in text.lower() for word in ("model", "artifact", "mlflow"))


def _value(block: HclBlock, key: str) -> str:
    found = attribute(block, key)
    return found[0] if found else ""


def _tf_blocks(ctx: DetectorContext) -> tuple[list[tuple[str, HclBlock]], list[str]]:
    """Storage-related resource and policy-document blocks of every candidate ``.tf`` file."""
    blocks: list[tuple[str, HclBlock]] = []
    broken: list[str] = []
    for path in ctx.candidates(ARTIFACTS, ctx.index.with_suffix(".tf")):
        if not path.endswith(".tf"):
            continue
        text = ctx.index.read_text(path)
        if text is None:
            if path in ctx.declared(ARTIFACTS):
                broken.append(path)
            continue
        if not _STORAGE_HINT.search(text) and "aws_iam_policy_document" not in text and "_audit_config" not in text \
                and "diagnostic_setting" not in text and "aws_cloudtrail" not in text:
            continue
        try:
            found = [(path, block) for block in hcl_blocks(text, _STORAGE_TYPES)]
            found.extend((path, block) for block in data_blocks(text, frozenset({"aws_iam_policy_document"})))
        except HclError:
            broken.append(path)
            continue
        blocks.extend(found)
    return blocks, broken


def _statement_is_public(chunk: str) -> bool:
    """True for a JSON/HCL policy statement that allows ``*`` without a condition."""
    star = re.search(r"Principal\"?\s*[:=]\s*(\"\*\"|\{[^{}]*\"?AWS\"?\s*[:=]\s*\[?\s*\"\*\")", chunk)
    if star is None:
        return False
    if re.search(r"Effect\"?\s*[:=]\s*\"Deny\"", chunk):
        return False
    return re.search(r"Condition\"?\s*[:=]", chunk) is None


def policy_allows_public(source: str) -> bool:
    """True when a bucket policy (JSON heredoc or ``jsonencode``) has a statement allowing ``*``."""
    for match in re.finditer(r"Principal", source):
        depth = 0
        start = -1
        for position in range(match.start() - 1, -1, -1):
            if source[position] == "}":
                depth += 1
            elif source[position] == "{":
                if depth == 0:
                    start = position
                    break
                depth -= 1
        if start < 0:
            continue
        depth = 0
        end = len(source)
        for position in range(start, len(source)):
            if source[position] == "{":
                depth += 1
            elif source[position] == "}":
                depth -= 1
                if depth == 0:
                    end = position
                    break
        if _statement_is_public(source[start:end]):
            return True
    return False


def document_allows_public(block: HclBlock) -> bool:
    """True when an ``aws_iam_policy_document`` has an Allow statement for principal ``*`` without condition."""
    for statement in nested_blocks(block, "statement"):
        if string_value(_value(statement, "effect")) == "Deny" or nested_blocks(statement, "condition"):
            continue
        for principals in nested_blocks(statement, "principals"):
            if '"*"' in _value(principals, "identifiers"):
                return True
    return False


def _collect_buckets(ctx: DetectorContext, blocks: list[tuple[str, HclBlock]]) -> list[_Bucket]:
    declared = set(ctx.declared(ARTIFACTS))
    log_targets = [
        _value(block, "target_bucket") for _, block in blocks if block.labels[0] == "aws_s3_bucket_logging"
    ]
    log_targets += [
        _value(logging, key)
        for _, block in blocks if block.labels[0] in ("aws_s3_bucket", "google_storage_bucket")
        for logging in nested_blocks(block, "logging") for key in ("target_bucket", "log_bucket")
    ]
    buckets: list[_Bucket] = []
    kinds = {"aws_s3_bucket": "S3", "google_storage_bucket": "GCS", "azurerm_storage_account": "Azure"}
    for path, block in blocks:
        kind = block.labels[0]
        if kind not in kinds:
            continue
        label = block.labels[-1]
        key = "bucket" if kind == "aws_s3_bucket" else "name"
        name = string_value(_value(block, key)) or string_value(_value(block, "bucket_prefix")) or label
        bucket = _Bucket(kinds[kind], kind, label, name, path, block.line)
        if any(target and bucket.matches(target) for target in log_targets):
            continue
        if path in declared or is_artifact_name(f"{label} {name}"):
            buckets.append(bucket)
    return buckets


def _judge_inline(bucket: _Bucket, block: HclBlock, path: str) -> None:
    """Settings written inside the bucket resource itself."""
    if bucket.cloud == "S3":
        acl = string_value(_value(block, "acl"))
        if acl in _PUBLIC_ACLS:
            bucket.public.append((f'has acl = "{acl}"', path, (attribute(block, "acl") or ("", block.line))[1]))
        if nested_blocks(block, "logging"):
            bucket.logged.append("inline logging block")
    elif bucket.cloud == "GCS":
        uniform = bool_value(_value(block, "uniform_bucket_level_access"))
        prevention = string_value(_value(block, "public_access_prevention"))
        if uniform and prevention == "enforced":
            bucket.blocked.append("uniform bucket-level access and public access prevention enforced")
        else:
            missing = [] if uniform else ["uniform_bucket_level_access"]
            missing += [] if prevention == "enforced" else ['public_access_prevention = "enforced"']
            bucket.gaps.append(f"lacks {' and '.join(missing)}")
        if nested_blocks(block, "logging"):
            bucket.logged.append("usage logging")
    else:
        flag = attribute(block, "allow_nested_items_to_be_public") or attribute(block, "allow_blob_public_access")
        if flag is not None and bool_value(flag[0]) is False:
            bucket.blocked.append("nested items cannot be public")
        elif flag is not None and bool_value(flag[0]) is True:
            bucket.gaps.append("allows public containers (allow_nested_items_to_be_public = true)")
        else:
            bucket.gaps.append("does not set allow_nested_items_to_be_public = false")


def _apply(ctx: DetectorContext, buckets: list[_Bucket], blocks: list[tuple[str, HclBlock]]) -> None:
    documents = {block.labels[-1]: block for _, block in blocks if block.keyword == "data"}
    by_key = {(bucket.kind, bucket.label, bucket.path): bucket for bucket in buckets}
    for path, block in blocks:
        kind = block.labels[0]
        if (kind, block.labels[-1], path) in by_key:
            _judge_inline(by_key[(kind, block.labels[-1], path)], block, path)
            continue
        if kind == "aws_s3_account_public_access_block":
            flags = [flag for flag in _S3_FLAGS if bool_value(_value(block, flag)) is not True]
            for bucket in buckets:
                if bucket.cloud == "S3" and not flags:
                    bucket.blocked.append(f"account-level public access block ({path})")
            continue
        if kind == "aws_cloudtrail":
            _cloudtrail(block, path, buckets)
            continue
        if kind.endswith("_iam_audit_config"):
            service = string_value(_value(block, "service"))
            types = " ".join(_value(config, "log_type") for config in nested_blocks(block, "audit_log_config"))
            if service in ("storage.googleapis.com", "allServices") and "DATA_READ" in types:
                for bucket in buckets:
                    if bucket.cloud == "GCS":
                        bucket.logged.append(f"Data Access audit logs ({path})")
            continue
        reference = _value(block, "bucket") or _value(block, "storage_account_name") or _value(
            block, "storage_account_id") or _value(block, "target_resource_id")
        for bucket in buckets:
            if reference and bucket.matches(reference.replace("${", " ").replace("}", " ")):
                _linked(bucket, kind, block, path, documents)


def _linked(bucket: _Bucket, kind: str, block: HclBlock, path: str, documents: dict[str, HclBlock]) -> None:
    """A resource that refers to the bucket: access block, logging, ACL, policy, IAM member."""
    if kind == "aws_s3_bucket_public_access_block":
        off = [flag for flag in _S3_FLAGS if bool_value(_value(block, flag)) is not True]
        if off:
            bucket.gaps.append(f"public access block leaves {', '.join(off)} off")
        else:
            bucket.blocked.append("public access block with all four flags")
    elif kind == "aws_s3_bucket_logging" and _value(block, "target_bucket"):
        bucket.logged.append("server access logging")
    elif kind == "aws_s3_bucket_acl":
        acl = string_value(_value(block, "acl"))
        if acl in _PUBLIC_ACLS:
            bucket.public.append((f'has acl = "{acl}"', path, (attribute(block, "acl") or ("", block.line))[1]))
    elif kind == "aws_s3_bucket_policy":
        policy = attribute(block, "policy")
        if policy is None:
            return
        text = policy[0]
        document = re.search(r"data\.aws_iam_policy_document\.([\w-]+)\.json", text)
        public = document_allows_public(documents[document.group(1)]) if document and document.group(1) in documents \
            else policy_allows_public(block.source)
        if public:
            bucket.public.append(('has a bucket policy allowing Principal "*"', path, policy[1]))
    elif kind in ("google_storage_bucket_iam_member", "google_storage_bucket_iam_binding", "google_storage_bucket_acl"):
        members = _value(block, "member") + _value(block, "members") + _value(block, "role_entity")
        if "allUsers" in members or "allAuthenticatedUsers" in members:
            bucket.public.append(("grants access to allUsers/allAuthenticatedUsers", path, block.line))
    elif kind == "azurerm_storage_container":
        access = string_value(_value(block, "container_access_type"))
        if access in ("blob", "container"):
            label = block.labels[-1]
            bucket.public.append((f'has container `{label}` with container_access_type = "{access}"', path, block.line))
    elif kind == "azurerm_monitor_diagnostic_setting":
        if nested_blocks(block, "enabled_log") or nested_blocks(block, "log"):
            bucket.logged.append("diagnostic logs")


def _cloudtrail(block: HclBlock, path: str, buckets: list[_Bucket]) -> None:
    selectors = nested_blocks(block, "event_selector") + nested_blocks(block, "advanced_event_selector")
    for selector in selectors:
        values = selector.source
        if "AWS::S3::Object" not in values:
            continue
        everything = re.search(r"\"arn:aws:s3(:::)?\"", values) is not None
        for bucket in buckets:
            if bucket.cloud == "S3" and (everything or bucket.matches(values) or f":::{bucket.name}" in values
                                         or f"aws_s3_bucket.{bucket.label}" in values):
                bucket.logged.append(f"CloudTrail data events ({path})")


@detector(
    name="artifact-storage-terraform",
    items=(ARTIFACTS,),
    looks_for=(
        "Terraform for model/artifact/dataset buckets that blocks public access (S3 public access block, GCS "
        "public access prevention, Azure private containers) and logs access (S3 access logs, CloudTrail data "
        "events, GCS audit logs, Azure diagnostic settings)"
    ),
)
def artifact_storage_terraform(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 41 from Terraform storage resources (see the module docstring)."""
    blocks, broken = _tf_blocks(ctx)
    for path in broken:
        yield ctx.unreadable(ARTIFACTS, path)
    buckets = _collect_buckets(ctx, blocks)
    _apply(ctx, buckets, blocks)
    for bucket in buckets:
        where = f"{bucket.cloud} bucket `{bucket.name}`" if bucket.cloud != "Azure" else f"storage account `{bucket.name}`"
        if bucket.public:
            for what, path, line in bucket.public:
                yield ctx.contradicts(ARTIFACTS, f"artifact {where} {what}: it is publicly readable", path=path, line=line)
            continue
        blocked = "; ".join(dict.fromkeys(bucket.blocked))
        logged = "; ".join(dict.fromkeys(bucket.logged))
        at: dict[str, Any] = {"path": bucket.path, "line": bucket.line}
        if blocked and logged:
            yield ctx.supports(ARTIFACTS, f"artifact {where}: public access blocked ({blocked}) and access logged "
                               f"({logged})", **at)
        elif blocked:
            yield ctx.partial(ARTIFACTS, f"artifact {where}: public access blocked ({blocked}) but access is not "
                              "logged", **at)
        elif logged:
            gaps = f" ({'; '.join(bucket.gaps)})" if bucket.gaps else ""
            yield ctx.partial(ARTIFACTS, f"artifact {where}: access logged ({logged}) but public access is not "
                              f"blocked{gaps}", **at)
        else:
            gaps = f" ({'; '.join(bucket.gaps)})" if bucket.gaps else ""
            yield ctx.partial(ARTIFACTS, f"artifact {where}: public access is not blocked{gaps} and access is not "
                              "logged", **at)


# ======================================================================== Python serving code (42, 44)
FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
_ROUTE_METHODS = {"get": "GET", "post": "POST", "put": "PUT", "patch": "PATCH", "delete": "DELETE"}
_PREDICT_PATH = re.compile(
    r"predict|score|scoring|infer|classif|generate|completion|chat|embed|invocation|recommend|rank|forecast|"
    r"detect|translate|summari[sz]e|transcribe",
    re.IGNORECASE,
)
_SERVING_HINT = re.compile(r"""["']/[^"']*["']""")
_ROUTING_HINT = re.compile(r"\.(?:post|put|get|route|api_route)\s*\(")
_SCHEMES = frozenset(
    {
        "APIKeyHeader", "APIKeyQuery", "APIKeyCookie", "HTTPBearer", "HTTPBasic", "HTTPDigest",
        "OAuth2PasswordBearer", "OAuth2AuthorizationCodeBearer", "OAuth2", "OpenIdConnect",
    }
)
#: Library decorators that require an authenticated user.
_AUTH_DECORATORS = frozenset(
    {"login_required", "jwt_required", "fresh_jwt_required", "auth_required", "roles_required", "roles_accepted",
     "permission_required", "token_required", "verify_jwt_in_request"}
)
_REJECT_EXCEPTIONS = re.compile(r"Unauthori[sz]ed|Forbidden|NotAuthenticated|PermissionDenied|AuthenticationFailed|"
                                r"AuthError|InvalidToken|AccessDenied")
_TIER_CODES = {"auth": (401, 403), "rate": (429,)}
_TIER_NAMES = {"auth": ("HTTP_401", "HTTP_403", "UNAUTHORIZED", "FORBIDDEN"), "rate": ("HTTP_429", "TOO_MANY_REQUESTS")}
_SERVING_FACTS = re.compile(
    r"Depends|Security|APIKey|HTTPBearer|OAuth2|\b40[13]\b|\b429\b|UNAUTHORIZED|FORBIDDEN|TOO_MANY|Unauthori[sz]ed|"
    r"Forbidden|abort\(|Limiter|middleware|before_request|BaseModel"
)
_RATE_STRING = re.compile(r"^\s*\d+\s*(/|per\s)\s*\w+", re.IGNORECASE)


@dataclass
class PredictRoute:
    """A prediction route of the serving code, and the function that handles it."""

    method: str
    url: str
    file: str
    line: int
    owner: str
    handler: FunctionNode
    decorator: ast.Call
    aliases: dict[str, str]

    @property
    def label(self) -> str:
        """``POST /predict``."""
        return f"{self.method} {self.url}"

    @property
    def where(self) -> str:
        """``app.py:12``."""
        return f"{self.file}:{self.line}"


@dataclass
class ServingCode:
    """What the non-test Python serving code declares: routes, app/router dependencies, hooks."""

    routes: list[PredictRoute] = field(default_factory=list)
    owner_dependencies: dict[str, list[ast.expr]] = field(default_factory=dict)
    app_dependencies: list[tuple[ast.expr, str, int]] = field(default_factory=list)
    hooks: list[tuple[str, ast.AST, str, int]] = field(default_factory=list)
    limiters: list[tuple[str, str, int]] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    functions: dict[str, list[FunctionNode]] = field(default_factory=dict)
    classes: dict[str, list[ast.ClassDef]] = field(default_factory=dict)
    schemes: dict[str, str] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    top_level: set[int] = field(default_factory=set)
    function_paths: dict[int, str] = field(default_factory=dict)


def _keyword(call: ast.Call, *names: str) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg in names:
            return keyword.value
    return None


def _last(name: str | None) -> str:
    return (name or "").split(".")[-1]


def _methods(decorator: ast.Call, verb: str) -> list[str]:
    if verb in _ROUTE_METHODS:
        return [_ROUTE_METHODS[verb]]
    value = _keyword(decorator, "methods")
    if isinstance(value, (ast.List, ast.Tuple, ast.Set)):
        return [str(element.value).upper() for element in value.elts if isinstance(element, ast.Constant)]
    return ["GET"]


def _is_prediction(method: str, url: str) -> bool:
    if _PREDICT_PATH.search(url):
        return True
    return method in ("POST", "PUT") and not re.search(r"health|ready|live|metrics|login|token|auth", url, re.I)


def serving_code(ctx: DetectorContext) -> ServingCode:
    """The prediction routes and the auth/rate-limit facts of the repository's non-test Python (memoised)."""
    return ctx.index.memo(("security-serving-code", *ctx.declared(AUTH)), lambda: _serving_code(ctx))


def _python_paths(ctx: DetectorContext) -> list[str]:
    return [path for path in ctx.candidates(AUTH, ctx.index.with_suffix(".py")) if path.endswith(".py")
            and not is_test_path(path)]


def _serving_code(ctx: DetectorContext) -> ServingCode:
    code = ServingCode()
    for path in _python_paths(ctx):
        text = ctx.index.read_text(path)
        if text is None:
            continue
        routing = bool(_SERVING_HINT.search(text) and _ROUTING_HINT.search(text))
        interesting = routing or _SERVING_FACTS.search(text)
        if not interesting:
            continue
        tree = ctx.index.python_ast(path)
        if tree is None:
            if routing:
                code.unreadable.append(path)
            continue
        _read_module(code, path, tree)
    return code


def _read_module(code: ServingCode, path: str, tree: ast.Module) -> None:
    aliases = import_aliases(tree)
    code.top_level.update(id(node) for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)))
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            code.functions.setdefault(node.name, []).append(node)
            code.function_paths[id(node)] = path
            _read_function(code, path, node, aliases)
        elif isinstance(node, ast.ClassDef):
            code.classes.setdefault(node.name, []).append(node)
            code.function_paths[id(node)] = path
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            _read_assignment(code, path, node, aliases)
        elif isinstance(node, ast.Call):
            _read_call(code, path, node, aliases)


def _read_function(code: ServingCode, path: str, node: FunctionNode, aliases: dict[str, str]) -> None:
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = dotted_name(target) or ""
        verb = _last(name)
        owner = name.rsplit(".", 1)[0] if "." in name else ""
        code.used.add(verb)
        if verb in ("before_request", "before_app_request") or (verb == "middleware" and isinstance(decorator, ast.Call)):
            code.hooks.append((f"`{node.name}` ({verb})", node, path, node.lineno))
            continue
        if not isinstance(decorator, ast.Call) or not owner or verb not in (*_ROUTE_METHODS, "route", "api_route"):
            continue
        url = decorator.args[0] if decorator.args else _keyword(decorator, "path", "rule")
        if not (isinstance(url, ast.Constant) and isinstance(url.value, str) and url.value.startswith("/")):
            continue
        for method in _methods(decorator, verb):
            if _is_prediction(method, url.value):
                code.routes.append(PredictRoute(method, url.value, path, decorator.lineno, owner, node, decorator,
                                                aliases))
                break


def _read_assignment(code: ServingCode, path: str, node: ast.Assign, aliases: dict[str, str]) -> None:
    call = node.value
    assert isinstance(call, ast.Call)
    name = resolve_alias(dotted_name(call.func) or "", aliases)
    targets = [target.id for target in node.targets if isinstance(target, ast.Name)]
    if _last(name) in _SCHEMES and (name.startswith("fastapi") or _last(name) == name):
        for target in targets:
            code.schemes[target] = _last(name)
    if _last(name) in ("FastAPI", "Starlette", "APIRouter", "Flask", "Blueprint"):
        dependencies = _keyword(call, "dependencies")
        if isinstance(dependencies, (ast.List, ast.Tuple)):
            for target in targets:
                code.owner_dependencies.setdefault(target, []).extend(dependencies.elts)
            if _last(name) in ("FastAPI", "Starlette"):
                code.app_dependencies.extend((element, path, call.lineno) for element in dependencies.elts)
    if _last(name) == "Limiter":
        limits = _keyword(call, "default_limits", "application_limits")
        if isinstance(limits, (ast.List, ast.Tuple)) and any(
            isinstance(element, ast.Constant) and isinstance(element.value, str) and _RATE_STRING.match(element.value)
            for element in limits.elts
        ):
            code.limiters.append((f"`{name}` default limits", path, call.lineno))


def _read_call(code: ServingCode, path: str, call: ast.Call, aliases: dict[str, str]) -> None:
    name = dotted_name(call.func) or ""
    if _last(name) == "include_router" and call.args:
        router = _last(dotted_name(call.args[0]))
        dependencies = _keyword(call, "dependencies")
        if router and isinstance(dependencies, (ast.List, ast.Tuple)):
            code.owner_dependencies.setdefault(router, []).extend(dependencies.elts)
    elif _last(name) in ("before_request", "before_app_request") and call.args:
        hook = _last(dotted_name(call.args[0]))
        if hook:
            code.used.add(hook)
            code.hooks.append((f"`{hook}` (before_request)", call.args[0], path, call.lineno))
    elif _last(name) in ("add_middleware", "Middleware") and call.args:
        middleware = _last(dotted_name(call.args[0]))
        if middleware:
            code.hooks.append((f"middleware `{middleware}`", call.args[0], path, call.lineno))
    elif _last(name) in ("Depends", "Security") and call.args:
        used = call.args[0]
        target = used.func if isinstance(used, ast.Call) else used
        code.used.add(_last(dotted_name(target)))


# ------------------------------------------------------------------ what a function does
def _rejects(nodes: list[ast.AST], tier: str) -> bool:
    """True when code answers with one of the tier's status codes (or raises an auth error for ``auth``)."""
    codes = _TIER_CODES[tier]
    names = _TIER_NAMES[tier]
    for root in nodes:
        for node in ast.walk(root):
            if isinstance(node, ast.Constant) and type(node.value) is int and node.value in codes:
                return True
            if isinstance(node, (ast.Attribute, ast.Name)):
                written = dotted_name(node) or ""
                if any(part in _last(written) for part in names):
                    return True
            if tier == "auth" and isinstance(node, ast.Raise) and node.exc is not None:
                raised = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                if _REJECT_EXCEPTIONS.search(_last(dotted_name(raised))):
                    return True
    return False


def _definitions(code: ServingCode, name: str) -> list[ast.AST]:
    """The functions or classes of the serving code called ``name``."""
    return [*code.functions.get(name, []), *code.classes.get(name, [])]


@dataclass(frozen=True)
class Guard:
    """How a dependency, decorator or hook protects a route: ``auth``, ``presence``, ``rate``."""

    kind: str
    label: str


def classify_dependency(code: ServingCode, expr: ast.expr, depth: int = 0) -> list[Guard]:
    """What ``Depends(x)``/``Security(x)`` (or ``x`` itself) brings: auth, a presence-only scheme, a rate limit."""
    if isinstance(expr, ast.Call) and _last(dotted_name(expr.func)) in ("Depends", "Security"):
        if not expr.args:
            return []
        expr = expr.args[0]
    factory = expr.func if isinstance(expr, ast.Call) else expr
    name = _last(dotted_name(factory))
    if not name or depth > 3:
        return []
    if name == "RateLimiter":
        return [Guard("rate", "fastapi-limiter `RateLimiter`")]
    if name in code.schemes or name in _SCHEMES:
        return [Guard("presence", f"`{name}` ({code.schemes.get(name, name)})")]
    guards: list[Guard] = []
    for definition in _definitions(code, name):
        if _rejects([definition], "rate"):
            guards.append(Guard("rate", f"`{name}` (answers 429)"))
        if _rejects([definition], "auth"):
            guards.append(Guard("auth", f"`{name}` (rejects with 401/403)"))
            continue
        if isinstance(definition, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in _parameter_dependencies(definition):
                for guard in classify_dependency(code, inner, depth + 1):
                    if guard.kind == "auth":
                        guards.append(Guard("auth", f"`{name}` via {guard.label}"))
                    elif guard.kind == "presence":
                        guards.append(Guard("presence", f"`{name}` via {guard.label}"))
    return guards


def _parameter_dependencies(function: FunctionNode) -> list[ast.expr]:
    """``Depends(...)``/``Security(...)`` in a function's defaults and ``Annotated[...]`` annotations."""
    found: list[ast.expr] = []
    arguments = [*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs]
    for node in [*function.args.defaults, *function.args.kw_defaults, *(arg.annotation for arg in arguments)]:
        if node is None:
            continue
        for child in ast.walk(node):
            if isinstance(child, ast.Call) and _last(dotted_name(child.func)) in ("Depends", "Security"):
                found.append(child)
    return found


def route_guards(code: ServingCode, route: PredictRoute) -> list[Guard]:
    """Every guard that applies to a prediction route: its own, its router's, the app's, hooks."""
    expressions: list[ast.expr] = _parameter_dependencies(route.handler)
    listed = _keyword(route.decorator, "dependencies")
    if isinstance(listed, (ast.List, ast.Tuple)):
        expressions.extend(listed.elts)
    expressions.extend(code.owner_dependencies.get(_last(route.owner), []))
    expressions.extend(element for element, _, _ in code.app_dependencies)
    guards = [guard for expr in expressions for guard in classify_dependency(code, expr)]
    for decorator in route.handler.decorator_list:
        if decorator is route.decorator:
            continue
        guards.extend(_decorator_guards(code, decorator))
    return guards


def _decorator_guards(code: ServingCode, decorator: ast.expr) -> list[Guard]:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    written = dotted_name(target) or ""
    name = _last(written)
    if name in ("limit", "shared_limit") and isinstance(decorator, ast.Call) and decorator.args:
        rate = decorator.args[0]
        if isinstance(rate, ast.Constant) and isinstance(rate.value, str) and _RATE_STRING.match(rate.value):
            return [Guard("rate", f"`@{written}(\"{rate.value}\")`")]
        return [Guard("rate", f"`@{written}`")]
    if name in _AUTH_DECORATORS:
        return [Guard("auth", f"`@{written}`")]
    guards: list[Guard] = []
    for definition in _definitions(code, name):
        if _rejects([definition], "auth"):
            guards.append(Guard("auth", f"`@{name}` (rejects with 401/403)"))
        if _rejects([definition], "rate"):
            guards.append(Guard("rate", f"`@{name}` (answers 429)"))
    return guards


def hook_guards(code: ServingCode) -> list[tuple[Guard, str, int]]:
    """App-wide guards: before_request hooks and middleware that reject with 401/403 or 429."""
    found: list[tuple[Guard, str, int]] = []
    for label, node, path, line in code.hooks:
        definitions: list[ast.AST] = [node] if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else \
            _definitions(code, _last(dotted_name(node)))
        if label.startswith("middleware `SlowAPI"):
            if code.limiters:
                found.append((Guard("rate", f"{label} with {code.limiters[0][0]}"), path, line))
            continue
        if definitions and _rejects(definitions, "auth"):
            found.append((Guard("auth", f"{label} (rejects with 401/403)"), path, line))
        if definitions and _rejects(definitions, "rate"):
            found.append((Guard("rate", f"{label} (answers 429)"), path, line))
    for label, path, line in code.limiters:
        if "flask" in label.lower():
            found.append((Guard("rate", f"{label}"), path, line))
    return found


# ------------------------------------------------------------------ the edge: ingress, mesh, gateway
@dataclass
class EdgeConfig:
    """Auth and rate limits enforced in front of the service (Kubernetes YAML)."""

    auth: list[tuple[str, str, int | None]] = field(default_factory=list)
    rate: list[tuple[str, str, int | None]] = field(default_factory=list)
    request_authentication: list[tuple[str, str, int | None]] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)


_EDGE_HINT = re.compile(
    r"RequestAuthentication|AuthorizationPolicy|nginx\.ingress\.kubernetes\.io/(auth|limit)|KongPlugin|"
    r"KongClusterPlugin|forwardAuth|basicAuth|rateLimit|local_ratelimit|envoy\.filters\.http\.ratelimit"
)
_KONG_AUTH = frozenset({"key-auth", "jwt", "openid-connect", "basic-auth", "oauth2", "hmac-auth", "ldap-auth"})
_KONG_RATE = frozenset({"rate-limiting", "rate-limiting-advanced", "response-ratelimiting"})


def _line(text: str, pattern: str) -> int | None:
    match = re.search(pattern, text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


def edge_config(ctx: DetectorContext) -> EdgeConfig:
    """Auth and rate-limit resources of the Kubernetes manifests (memoised)."""
    return ctx.index.memo(("security-edge", *ctx.declared(AUTH)), lambda: _edge_config(ctx))


def _edge_config(ctx: DetectorContext) -> EdgeConfig:
    edge = EdgeConfig()
    for path in ctx.candidates(AUTH, manifest_candidates(ctx.index)):
        if not path.endswith((".yaml", ".yml")):
            continue
        text = ctx.index.read_text(path)
        if text is None or not _EDGE_HINT.search(text):
            continue
        documents = ctx.index.yaml_documents(path)
        if documents is None:
            edge.unreadable.append(path)
            continue
        for document in documents:
            if isinstance(document, dict):
                _edge_document(edge, document, path, text)
    return edge


def _edge_document(edge: EdgeConfig, document: dict[str, Any], path: str, text: str) -> None:
    kind = str(document.get("kind") or "")
    metadata = document.get("metadata") if isinstance(document.get("metadata"), dict) else {}
    raw_name = str(metadata.get("name") or "?")
    name = display(raw_name)
    spec = document.get("spec") if isinstance(document.get("spec"), dict) else {}
    line = _line(text, rf"^\s*name:\s*['\"]?{re.escape(raw_name)}") or _line(text, rf"^kind:\s*{re.escape(kind)}")
    if kind == "RequestAuthentication" and isinstance(spec.get("jwtRules"), list) and spec["jwtRules"]:
        edge.request_authentication.append((f"Istio RequestAuthentication `{name}`", path, line))
    elif kind == "AuthorizationPolicy":
        action = str(spec.get("action") or "ALLOW").upper()
        rules = spec.get("rules") if isinstance(spec.get("rules"), list) else []
        sources = [
            entry.get("source") for rule in rules if isinstance(rule, dict)
            for entry in (rule.get("from") or []) if isinstance(entry, dict) and isinstance(entry.get("source"), dict)
        ]
        keys = {"requestPrincipals", "principals"} if action == "ALLOW" else {"notRequestPrincipals", "notPrincipals"}
        if action == "CUSTOM" and isinstance(spec.get("provider"), dict):
            edge.auth.append((f"Istio AuthorizationPolicy `{name}` (external authorizer)", path, line))
        elif action in ("ALLOW", "DENY") and any(source.get(key) for source in sources for key in keys):
            edge.auth.append((f"Istio AuthorizationPolicy `{name}` (requires an authenticated principal)", path, line))
    elif kind == "Ingress":
        annotations = metadata.get("annotations") if isinstance(metadata.get("annotations"), dict) else {}
        prefix = "nginx.ingress.kubernetes.io/"
        if annotations.get(prefix + "auth-url") or annotations.get(prefix + "auth-type"):
            edge.auth.append((f"Ingress `{name}` (ingress-nginx external/basic auth)", path, line))
        for key in ("limit-rps", "limit-rpm", "limit-connections"):
            if str(annotations.get(prefix + key) or "").strip().isdigit():
                edge.rate.append((f"Ingress `{name}` ({key}: {annotations[prefix + key]})", path, line))
                break
    elif kind in ("KongPlugin", "KongClusterPlugin"):
        plugin = str(document.get("plugin") or "")
        if plugin in _KONG_AUTH:
            edge.auth.append((f"Kong plugin `{name}` ({plugin})", path, line))
        elif plugin in _KONG_RATE and document.get("config"):
            edge.rate.append((f"Kong plugin `{name}` ({plugin})", path, line))
    elif kind == "Middleware" and "traefik" in str(document.get("apiVersion") or ""):
        if any(isinstance(spec.get(key), dict) for key in ("forwardAuth", "basicAuth", "digestAuth")):
            edge.auth.append((f"Traefik Middleware `{name}`", path, line))
        if isinstance(spec.get("rateLimit"), dict) and spec["rateLimit"].get("average"):
            edge.rate.append((f"Traefik Middleware `{name}` (rateLimit)", path, line))
    elif kind == "EnvoyFilter":
        if any(isinstance(node, str) and "ratelimit" in node for node in iter_nodes(spec)):
            edge.rate.append((f"EnvoyFilter `{name}` (rate limit filter)", path, line))


# ------------------------------------------------------------------ item 42: the detector
@detector(
    name="endpoint-auth",
    items=(AUTH,),
    looks_for=(
        "authentication applied to the prediction routes (FastAPI Depends/Security, Flask decorators, auth "
        "middleware, Istio/ingress/Kong/Traefik auth) and a rate limit (slowapi, flask-limiter, fastapi-limiter, "
        "ingress limit-rps, Kong/Traefik/Envoy rate limits)"
    ),
)
def endpoint_auth(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 42 from the serving code and the edge configuration (see the module docstring)."""
    code = serving_code(ctx)
    edge = edge_config(ctx)
    for path in [*code.unreadable, *edge.unreadable]:
        yield ctx.unreadable(AUTH, path)
    hooks = hook_guards(code)
    edge_auth = list(edge.auth)
    if edge.request_authentication and not edge_auth:
        label, path, line = edge.request_authentication[0]
        yield ctx.partial(AUTH, f"{label} validates tokens, but no AuthorizationPolicy requires one: requests "
                          "without a token pass", path=path, line=line)
    edge_auth_label = edge_auth[0][0] if edge_auth else None
    rate_labels = [guard.label for guard, _, _ in hooks if guard.kind == "rate"] + [label for label, _, _ in edge.rate]
    auth_hooks = [guard.label for guard, _, _ in hooks if guard.kind == "auth"]
    if not code.routes:
        yield from _edge_only(ctx, edge)
        yield from _unused_auth(ctx, code)
        return
    unprotected: list[str] = []
    presence: list[str] = []
    unlimited: list[str] = []
    auth_used: list[str] = []
    rate_used: list[str] = []
    for route in code.routes:
        guards = route_guards(code, route)
        auth = [guard.label for guard in guards if guard.kind == "auth"] + auth_hooks
        auth += [edge_auth_label] if edge_auth_label else []
        rate = [guard.label for guard in guards if guard.kind == "rate"] + rate_labels
        if not auth:
            only_presence = [guard.label for guard in guards if guard.kind == "presence"]
            (presence if only_presence else unprotected).append(
                f"`{route.label}` ({route.where})" + (f" only requires {only_presence[0]} to be present"
                                                        if only_presence else ""))
        else:
            auth_used.append(auth[0])
        if not rate:
            unlimited.append(f"`{route.label}`")
        rate_used.extend(rate)
    first = code.routes[0]
    at: dict[str, Any] = {"path": first.file, "line": first.line}
    names = ", ".join(f"`{route.label}`" for route in code.routes[:4]) + (" ..." if len(code.routes) > 4 else "")
    plural = len(code.routes) != 1
    count = f"{len(code.routes)} prediction route{'s' if plural else ''} ({names})"
    require, are = ("require", "are") if plural else ("requires", "is")
    if not unprotected and not presence and not unlimited:
        auth_text = ", ".join(dict.fromkeys(auth_used))
        rate_text = ", ".join(dict.fromkeys(rate_used))
        yield ctx.supports(AUTH, f"{count} {require} {auth_text} and {are} rate limited by {rate_text}", **at)
        return
    if unprotected:
        yield ctx.partial(AUTH, f"prediction routes without authentication: {', '.join(unprotected)}", **at)
        yield from _unused_auth(ctx, code)
    for message in presence:
        yield ctx.partial(AUTH, f"{message}, which does not check its value (no 401/403 raised)", **at)
    if unlimited:
        if not unprotected and not presence:
            detail = f"{count} {require} {', '.join(dict.fromkeys(auth_used))}, but no rate limit applies"
        else:
            detail = f"no rate limit applies to {', '.join(unlimited)}"
        yield ctx.partial(AUTH, detail, **at)
    elif unprotected or presence:
        yield ctx.partial(AUTH, f"prediction routes are rate limited by {', '.join(dict.fromkeys(rate_used))}"
                          " but not all require authentication", **at)


def _edge_only(ctx: DetectorContext, edge: EdgeConfig) -> Iterator[Evidence]:
    """No Python prediction routes: the edge alone decides (a non-Python model server)."""
    if edge.auth and edge.rate:
        label, path, line = edge.auth[0]
        yield ctx.supports(AUTH, f"{label} authenticates requests and {edge.rate[0][0]} limits their rate "
                           f"(no Python prediction routes found)", path=path, line=line)
    elif edge.auth:
        label, path, line = edge.auth[0]
        yield ctx.partial(AUTH, f"{label} authenticates requests, but no rate limit was found", path=path, line=line)
    elif edge.rate:
        label, path, line = edge.rate[0]
        yield ctx.partial(AUTH, f"{label} limits the request rate, but no authentication was found",
                          path=path, line=line)


_AUTH_NAME = re.compile(r"auth|api_?key|token|user|verify|require|permission|credential|jwt|bearer", re.IGNORECASE)


def _unused_auth(ctx: DetectorContext, code: ServingCode) -> Iterator[Evidence]:
    """Auth functions that reject with 401/403 but that no route, router or hook uses."""
    handlers = {id(route.handler) for route in code.routes}
    for name, definitions in sorted(code.functions.items()):
        if name in code.used or not _AUTH_NAME.search(name):
            continue
        for definition in definitions:
            if id(definition) in code.top_level and id(definition) not in handlers and _rejects([definition], "auth"):
                yield ctx.partial(AUTH, f"`{name}` is defined (rejects with 401/403) but no route uses it",
                                  path=code.function_paths.get(id(definition)), line=definition.lineno)
                break


# ======================================================================== item 44: request models
_FIELD_CONSTRAINTS = frozenset(
    {"max_length", "min_length", "pattern", "regex", "ge", "le", "gt", "lt", "max_items", "min_items",
     "multiple_of", "max_digits", "decimal_places", "allow_inf_nan"}
)
_CONSTRAINED_TYPES = re.compile(
    r"^(con(str|int|float|list|set|bytes|decimal|date)|Literal|StringConstraints|Positive\w+|Negative\w+|"
    r"NonNegative\w+|NonPositive\w+|EmailStr|HttpUrl|AnyUrl|UUID\d?|StrictBool|conlist|Enum|IPv\dAddress|"
    r"FiniteFloat|date|datetime|bool|int|float)$"
)
_VALIDATORS = frozenset({"field_validator", "validator", "model_validator", "root_validator"})


@dataclass
class ModelCheck:
    """What a pydantic request model constrains."""

    name: str
    file: str
    line: int
    fields: int
    constrained: int
    unbounded: list[str]
    forbid: bool

    @property
    def ok(self) -> bool:
        """Constrained: something is checked and no free-text field is left unbounded."""
        return (self.constrained > 0 or self.forbid) and not self.unbounded

    @property
    def summary(self) -> str:
        """``constrains 3 of 4 fields, forbids extra keys``."""
        parts = [f"constrains {self.constrained} of {self.fields} field{'s' if self.fields != 1 else ''}"]
        if self.forbid:
            parts.append('extra="forbid"')
        return ", ".join(parts)


def _annotation_parts(annotation: ast.expr) -> list[ast.expr]:
    """``Annotated[str, Field(...)]`` and ``Optional[...]`` opened into their elements."""
    if isinstance(annotation, ast.Subscript):
        outer = _last(dotted_name(annotation.value))
        inner = annotation.slice
        elements = list(inner.elts) if isinstance(inner, ast.Tuple) else [inner]
        if outer in ("Annotated", "Optional", "Union"):
            return [part for element in elements for part in _annotation_parts(element)]
        return [annotation]
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        return [*_annotation_parts(annotation.left), *_annotation_parts(annotation.right)]
    return [annotation]


def _is_constraint_call(node: ast.expr) -> bool:
    if not isinstance(node, ast.Call):
        return False
    name = _last(dotted_name(node.func))
    if name in ("Field", "Query", "Body", "StringConstraints"):
        return any(keyword.arg in _FIELD_CONSTRAINTS for keyword in node.keywords)
    return bool(_CONSTRAINED_TYPES.match(name))


def check_model(node: ast.ClassDef, path: str) -> ModelCheck:
    """Count the fields of a pydantic model and which ones are constrained (see :class:`ModelCheck`)."""
    validated: set[str] = set()
    forbid = False
    for statement in node.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in statement.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                if _last(dotted_name(target)) in _VALIDATORS:
                    args = decorator.args if isinstance(decorator, ast.Call) else []
                    names = [arg.value for arg in args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
                    validated.update(names or ["*"])
        elif isinstance(statement, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "model_config"
                                                       for t in statement.targets):
            forbid = forbid or "forbid" in ast.dump(statement.value)
        elif isinstance(statement, ast.ClassDef) and statement.name == "Config":
            forbid = forbid or "forbid" in ast.dump(statement)
    fields = constrained = 0
    unbounded: list[str] = []
    for statement in node.body:
        if not isinstance(statement, ast.AnnAssign) or not isinstance(statement.target, ast.Name):
            continue
        name = statement.target.id
        if name == "model_config" or "ClassVar" in ast.dump(statement.annotation):
            continue
        fields += 1
        parts = _annotation_parts(statement.annotation)
        is_text = any(_last(dotted_name(part)) in ("str", "Text") for part in parts)
        limited = any(_is_constraint_call(part) for part in parts) or (
            statement.value is not None and _is_constraint_call(statement.value))
        typed = any(isinstance(part, ast.Subscript) and _last(dotted_name(part.value)) == "Literal" for part in parts)
        if limited or typed or name in validated or "*" in validated:
            constrained += 1
        elif is_text:
            unbounded.append(name)
    return ModelCheck(node.name, path, node.lineno, fields, constrained, unbounded, forbid)


def _is_model_class(code: ServingCode, node: ast.ClassDef, depth: int = 0) -> bool:
    for base in node.bases:
        name = _last(dotted_name(base))
        if name in ("BaseModel", "RootModel", "SQLModel"):
            return True
        if depth < 4 and any(_is_model_class(code, parent, depth + 1) for parent in code.classes.get(name, [])):
            return True
    return False


def request_models(code: ServingCode, route: PredictRoute) -> list[ModelCheck]:
    """The pydantic models a prediction route reads its body with (parameter annotations, or
    ``Model(**request.json)`` / ``Model.model_validate(...)`` in a Flask handler)."""
    names: list[str] = []
    arguments = [*route.handler.args.posonlyargs, *route.handler.args.args, *route.handler.args.kwonlyargs]
    for argument in arguments:
        if argument.annotation is not None:
            for part in _annotation_parts(argument.annotation):
                target = part.slice if isinstance(part, ast.Subscript) else part
                names.extend(_last(dotted_name(element)) for element in
                             (target.elts if isinstance(target, ast.Tuple) else [target]))
    for node in ast.walk(route.handler):
        if isinstance(node, ast.Call):
            written = dotted_name(node.func) or ""
            if _last(written) in ("model_validate", "parse_obj", "model_validate_json", "parse_raw"):
                names.append(_last(written.rsplit(".", 1)[0]) if "." in written else "")
            elif any(keyword.arg is None for keyword in node.keywords):
                names.append(_last(written))  # ``Model(**request.get_json())``
    checks: list[ModelCheck] = []
    for name in dict.fromkeys(name for name in names if name):
        for node in code.classes.get(name, []):
            if _is_model_class(code, node):
                checks.append(check_model(node, code.function_paths.get(id(node), route.file)))
                break
    return checks


# ------------------------------------------------------------------ item 44: sanitisers and SQL
_SANITISERS = {
    "html.escape": "HTML escaping (`html.escape`)",
    "markupsafe.escape": "HTML escaping (`markupsafe.escape`)",
    "bleach.clean": "HTML sanitising (`bleach.clean`)",
    "nh3.clean": "HTML sanitising (`nh3.clean`)",
    "llm_guard.scan_prompt": "prompt-injection scan (`llm_guard.scan_prompt`)",
    "llm_guard.input_scanners.PromptInjection": "prompt-injection scanner (llm-guard `PromptInjection`)",
    "rebuff.RebuffSdk": "prompt-injection detection (rebuff)",
    "rebuff.Rebuff": "prompt-injection detection (rebuff)",
    "nemoguardrails.LLMRails": "guardrails (NeMo Guardrails)",
    "guardrails.Guard": "guardrails (`guardrails.Guard`)",
}
_SANITISER_HINT = re.compile(r"escape|bleach|nh3|llm_guard|rebuff|guardrails|nemoguardrails|\\x00|\\x1f|\\x7f|"
                             r"\\u0000|\[:cntrl:\]|\\p\{C")
_CONTROL_PATTERN = re.compile(r"\\x00|\\x1f|\\x7f|\\u0000|\[:cntrl:\]|\\p\{C|\\x0[0-8]")
_SQL_CALLS = frozenset({"execute", "executemany", "executescript", "read_sql", "read_sql_query", "raw", "text"})
_SQL_WORDS = re.compile(r"\b(select|insert|update|delete|where|from|values)\b", re.IGNORECASE)
_SQL_HINT = re.compile(r"execute|read_sql|\btext\(|\.raw\(")


@dataclass(frozen=True)
class Finding:
    """Something found in the code for item 44, with where it is."""

    verdict: str
    detail: str
    path: str
    line: int


def sanitisers(ctx: DetectorContext) -> list[Finding]:
    """Sanitising calls in the non-test code: HTML escaping, control-character stripping, injection scanners."""
    found: list[Finding] = []
    for path in _python_paths(ctx):
        text = ctx.index.read_text(path)
        if text is None or not _SANITISER_HINT.search(text):
            continue
        tree = ctx.index.python_ast(path)
        if tree is None:
            continue
        aliases = import_aliases(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = resolve_alias(dotted_name(node.func) or "", aliases)
            label = _SANITISERS.get(name) or next(
                (text for key, text in _SANITISERS.items() if name.startswith(key + ".")), None)
            if label is None and name in ("re.sub", "re.compile", "regex.sub") and node.args:
                pattern = node.args[0]
                if isinstance(pattern, ast.Constant) and isinstance(pattern.value, str) and (
                        _CONTROL_PATTERN.search(pattern.value.encode("unicode_escape").decode("ascii"))):
                    label = f"control-character stripping (`{name}`)"
            if label is not None:
                found.append(Finding("supports", label, path, node.lineno))
    return found


def _interpolated(node: ast.expr) -> tuple[str, list[ast.expr]] | None:
    """(how, interpolated expressions) when ``node`` builds a SQL string by formatting."""
    if isinstance(node, ast.JoinedStr):
        constant = "".join(str(part.value) for part in node.values if isinstance(part, ast.Constant))
        values = [part.value for part in node.values if isinstance(part, ast.FormattedValue)]
        if values and _SQL_WORDS.search(constant):
            return "an f-string", values
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant):
        if isinstance(node.left.value, str) and _SQL_WORDS.search(node.left.value):
            right = node.right
            return "%-formatting", list(right.elts) if isinstance(right, ast.Tuple) else [right]
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        base = node.func.value
        if isinstance(base, ast.Constant) and isinstance(base.value, str) and _SQL_WORDS.search(base.value):
            return "str.format", [*node.args, *(keyword.value for keyword in node.keywords)]
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        parts: list[ast.expr] = []
        stack: list[ast.expr] = [node]
        while stack:
            current = stack.pop()
            if isinstance(current, ast.BinOp) and isinstance(current.op, ast.Add):
                stack.extend([current.left, current.right])
            else:
                parts.append(current)
        constant = " ".join(str(part.value) for part in parts if isinstance(part, ast.Constant))
        values = [part for part in parts if not isinstance(part, ast.Constant)]
        if values and _SQL_WORDS.search(constant):
            return "string concatenation", values
    return None


def _names_in(values: list[ast.expr]) -> set[str]:
    return {node.id for value in values for node in ast.walk(value) if isinstance(node, ast.Name)}


def sql_findings(ctx: DetectorContext) -> list[Finding]:
    """Queries built by string formatting and passed to ``execute``/``read_sql``/``text`` in non-test code."""
    found: list[Finding] = []
    for path in _python_paths(ctx):
        text = ctx.index.read_text(path)
        if text is None or not _SQL_HINT.search(text) or not _SQL_WORDS.search(text):
            continue
        tree = ctx.index.python_ast(path)
        if tree is None:
            continue
        for function in ast.walk(tree):
            if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found.extend(_function_sql(function, path))
    return found


def _function_sql(function: FunctionNode, path: str) -> Iterator[Finding]:
    parameters = {arg.arg for arg in [*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs]}
    parameters.discard("self")
    built: dict[str, ast.expr] = {}
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            built[node.targets[0].id] = node.value
    for node in ast.walk(function):
        if not isinstance(node, ast.Call) or _last(dotted_name(node.func)) not in _SQL_CALLS or not node.args:
            continue
        query = node.args[0]
        if isinstance(query, ast.Name) and query.id in built:
            query = built[query.id]
        shape = _interpolated(query)
        if shape is None:
            continue
        how, values = shape
        names = _names_in(values)
        if names and all(name.isupper() for name in names):
            continue  # module constants (table names), not data
        call = dotted_name(node.func) or "execute"
        where = f"{path}:{node.lineno}"
        from_parameters = sorted(names & parameters)
        if from_parameters:
            detail = (f"query built with {how} from parameter `{from_parameters[0]}` of `{function.name}` and "
                      f"passed to `{call}` in {where}; use bound parameters")
            yield Finding("contradicts", detail, path, node.lineno)
        else:
            yield Finding("partial", f"query built with {how} and passed to `{call}` in {where}; use bound "
                          "parameters", path, node.lineno)


# ------------------------------------------------------------------ item 44: hostile-input tests
_HOSTILE_HINT = re.compile(
    r"<script|javascript:|drop\s+table|or\s+'?1'?\s*=\s*'?1|union\s+select|;\s*--|ignore (all |the )?(previous|prior"
    r"|above) instructions|\\x00|\\x1b|\\u0000|\\u202e|\.\./\.\./|\*\s*\(?\s*\w*\d{3,}|\d{4,}\s*\*\s*['\"]",
    re.IGNORECASE,
)
_INJECTIONS = (
    (re.compile(r"drop\s+table|\bor\s+'?1'?\s*=\s*'?1|union\s+select|;\s*--", re.IGNORECASE), "SQL injection"),
    (re.compile(r"<script|javascript:|onerror\s*=", re.IGNORECASE), "script injection"),
    (re.compile(r"ignore (all |the )?(previous|prior|above) instructions|system prompt", re.IGNORECASE),
     "prompt injection"),
    (re.compile(r"\.\./\.\./"), "path traversal"),
)
_REJECTION_CODES = frozenset({400, 403, 413, 415, 422})


def hostile_kinds(nodes: list[ast.AST]) -> list[str]:
    """The kinds of hostile input found in the literal values of ``nodes``."""
    kinds: set[str] = set()
    docstrings = {
        id(node.body[0].value) for root in nodes for node in ast.walk(root)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body
        and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)
    }
    for root in nodes:
        for node in ast.walk(root):
            if id(node) in docstrings:
                continue
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                value = node.value
                if len(value) >= 1000:
                    kinds.add("oversized input")
                if any(ord(char) < 32 and char not in "\n\r\t" for char in value) or "\u202e" in value:
                    kinds.add("control characters")
                kinds.update(label for pattern, label in _INJECTIONS if pattern.search(value))
            elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
                sides = (node.left, node.right)
                text = any(isinstance(side, ast.Constant) and isinstance(side.value, (str, bytes)) for side in sides)
                small = any(isinstance(side, ast.Constant) and type(side.value) is int and side.value < 500
                            for side in sides)
                if text and not small:
                    kinds.add("oversized input")
    return sorted(kinds)


def _asserts_rejection(test: TestFunction) -> str | None:
    """How the test checks that the hostile input was refused, or ``None``."""
    for assertion in test.assertions:
        if assertion.kind == "raises":
            return f"expects `{assertion.exceptions[0] if assertion.exceptions else 'an exception'}`"
        nodes = [assertion.test] if assertion.test is not None else list(assertion.operands)
        for root in nodes:
            for node in ast.walk(root):
                if isinstance(node, ast.Constant) and type(node.value) is int and node.value in _REJECTION_CODES:
                    return f"expects status {node.value}"
                if isinstance(node, ast.Compare) and any(isinstance(op, ast.NotIn) for op in node.ops) and \
                        hostile_kinds([node.left]):
                    return "checks the payload is removed"
                if isinstance(node, ast.Attribute) and node.attr in ("is_client_error", "HTTP_422_UNPROCESSABLE_ENTITY",
                                                                    "HTTP_400_BAD_REQUEST"):
                    return "expects a client error"
    return None


@dataclass(frozen=True)
class HostileTest:
    """A test that sends hostile input to the repository's code and asserts a rejection."""

    test: TestFunction
    kinds: tuple[str, ...]
    target: str
    check: str


def hostile_tests(ctx: DetectorContext) -> tuple[list[HostileTest], list[str]]:
    """Hostile-input tests, and candidate test modules that do not parse."""
    suite = repository_tests(ctx.index)
    found: list[HostileTest] = []
    broken: list[str] = []
    for path in ctx.candidates(INPUTS, suite.candidates(_HOSTILE_HINT)):
        module = suite.module(path)
        if module is None:
            broken.append(path)
            continue
        for test in module.functions:
            if test.skipped:
                continue
            roots: list[ast.AST] = [test.node, *(value for mark in test.parametrize for case in mark.cases
                                                 for value in case)]
            kinds = hostile_kinds(roots)
            calls = sorted((call for call in test.calls if call.exercises_repo), key=lambda call: call.http is None)
            check = _asserts_rejection(test)
            if kinds and calls and check:
                found.append(HostileTest(test, tuple(kinds), calls[0].label, check))
    return found, broken


# ------------------------------------------------------------------ item 44: the detector
@detector(
    name="input-sanitization",
    items=(INPUTS,),
    looks_for=(
        "constrained pydantic request models on the prediction routes (max_length, pattern, ranges, "
        "extra=\"forbid\") or sanitisers (html.escape, bleach, control-character stripping, prompt-injection "
        "scanners), tests that send hostile input and expect a rejection, and no SQL built by string formatting"
    ),
)
def input_sanitization(ctx: DetectorContext) -> Iterator[Evidence]:
    """Evidence for item 44 (see the module docstring)."""
    code = serving_code(ctx)
    for path in code.unreadable:
        yield ctx.unreadable(INPUTS, path)
    seen: set[tuple[str, int]] = set()
    for finding in sql_findings(ctx):
        if (finding.path, finding.line) not in seen:
            seen.add((finding.path, finding.line))
            yield ctx.evidence(INPUTS, finding.detail, verdict=finding.verdict,  # type: ignore[arg-type]
                               path=finding.path, line=finding.line)
    models: dict[tuple[str, str], tuple[ModelCheck, PredictRoute]] = {}
    for route in code.routes:
        for check in request_models(code, route):
            models.setdefault((check.file, check.name), (check, route))
    good = [(check, route) for check, route in models.values() if check.ok]
    weak = [(check, route) for check, route in models.values() if not check.ok]
    cleaners = sanitisers(ctx)
    tests, broken = hostile_tests(ctx)
    for path in broken:
        yield ctx.unreadable(INPUTS, path)
    for check, route in weak:
        missing = (f"leaves {', '.join(f'`{name}`' for name in check.unbounded[:3])} unbounded (no max_length or "
                   "pattern)") if check.unbounded else "has no constraints (lengths, patterns, ranges) on its fields"
        yield ctx.partial(INPUTS, f"request model `{check.name}` of `{route.label}` {missing}",
                          path=check.file, line=check.line)
    guard = ""
    if good and not weak:
        check, route = good[0]
        guard = f"request model `{check.name}` of `{route.label}` {check.summary} ({check.file}:{check.line})"
    elif cleaners:
        guard = f"{cleaners[0].detail} in {cleaners[0].path}:{cleaners[0].line}"
    if guard and tests:
        for hostile in tests:
            detail = (f"test `{hostile.test.name}` sends {', '.join(hostile.kinds)} to `{hostile.target}` and "
                      f"{hostile.check}; {guard}")
            yield ctx.supports(INPUTS, detail, path=hostile.test.path, line=hostile.test.line,
                               nodeid=hostile.test.nodeid)
        return
    if guard:
        first = good[0][0] if good and not weak else None
        at: dict[str, Any] = {"path": first.file, "line": first.line} if first else \
            {"path": cleaners[0].path, "line": cleaners[0].line}
        yield ctx.partial(INPUTS, f"{guard}, but no test sends hostile input (oversized, control characters, "
                          "injection strings) and expects a rejection", **at)
    for check, route in good:
        if weak:
            yield ctx.partial(INPUTS, f"request model `{check.name}` of `{route.label}` {check.summary}, but other "
                              "prediction routes' models are not constrained", path=check.file, line=check.line)
    for hostile in tests:
        if not guard:
            yield ctx.partial(INPUTS, f"test `{hostile.test.name}` sends {', '.join(hostile.kinds)} to "
                              f"`{hostile.target}` and {hostile.check}, but the prediction routes have no "
                              "constrained request model and no sanitiser was found",
                              path=hostile.test.path, line=hostile.test.line, nodeid=hostile.test.nodeid)


DETECTORS: tuple[Detector, ...] = (artifact_storage_terraform, endpoint_auth, input_sanitization)
