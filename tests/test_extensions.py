"""The extension API: an installed package adds a catalog, a detector for an existing item and a
result receiver, and they work the same under ``pytest --ml-checklist`` and ``ml-checklist scan``.

The package is built in each test: a module and a ``.dist-info`` folder with its entry point,
put on ``sys.path`` so that ``importlib.metadata`` finds it as if it were installed.
"""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_mlchecklist import cli
from pytest_mlchecklist.extensions import ExtensionError, Extensions

from conftest import TODAY, write_dedented

TODAY_OPTION = f"--ml-checklist-today={TODAY.isoformat()}"
PACKAGE = "acme_mlchecklist"

ACME_CATALOG = """\
schema_version: 1
name: acme-ml
title: Acme ML readiness
extends: production-ml-51
sections:
  - {id: acme-platform, title: Acme platform}
items:
  - id: model-registry
    section: acme-platform
    title: Every model is registered with an owner
    description: The registry page names the owner of each model and how a model is promoted.
    remediation: Write docs/model-registry.md with an Owner and a Promotion section.
    tiers: [mvp, mature]
    rules:
      - files: docs/model-registry.md
        headings: [Owner, Promotion]
"""

ACME_MODULE = '''\
"""Acme's checklist extension: a catalog, a detector and a dashboard receiver."""

import json
from pathlib import Path

from pytest_mlchecklist import DetectorContext, detector, hookimpl


@detector(name="acme-rollback-log", items=["rollback"], looks_for="rehearsals in ops/rollback-log.json")
def rollback_log(ctx: DetectorContext):
    path = "ops/rollback-log.json"
    if path not in ctx.index:
        return
    data = ctx.index.json_data(path)
    if data is None:
        yield ctx.unreadable("rollback", path)
    elif isinstance(data, dict) and data.get("rehearsals"):
        yield ctx.supports("rollback", f"{len(data['rehearsals'])} rollback rehearsals logged", path=path)
    else:
        yield ctx.partial("rollback", "the rollback log lists no rehearsal", path=path)


@hookimpl
def mlchecklist_catalogs():
    return [Path(__file__).parent / "acme.yaml"]


@hookimpl
def mlchecklist_detectors(catalog):
    return [rollback_log]


@hookimpl
def mlchecklist_result(result):
    (result.root / "dashboard.json").write_text(json.dumps(
        {"catalog": result.config.catalog.name, "met": result.met, "applicable": result.applicable}
    ))
'''

REGISTRY = """\
# Model registry

## Owner

The fraud ML team owns every registered model.

## Promotion

1. Register the candidate with its evaluation report.
2. Promote it after a day in staging.
"""


@pytest.fixture(autouse=True)
def forget_the_package() -> Iterator[None]:
    """Each test builds its own package: never reuse a module imported by another test."""
    for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
        del sys.modules[name]
    yield
    for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
        del sys.modules[name]


def build_package(where: Path, module: str = ACME_MODULE, catalog: str = ACME_CATALOG) -> Path:
    """Write the ``acme_mlchecklist`` package and its metadata under ``where``; returns ``where``."""
    write_dedented(where, {
        f"{PACKAGE}/__init__.py": module,
        f"{PACKAGE}/acme.yaml": catalog,
        f"{PACKAGE}-0.1.dist-info/METADATA": "Metadata-Version: 2.1\nName: acme-mlchecklist\nVersion: 0.1\n",
        f"{PACKAGE}-0.1.dist-info/entry_points.txt": f"[pytest_mlchecklist]\nacme = {PACKAGE}\n",
    })
    return where


def write_repository(root: Path, *, rollback_log: bool = True, registry: bool = True) -> None:
    files = {"mlchecklist.yaml": "catalog: acme-ml\nprofile: [rollback, model-registry]\n"}
    if rollback_log:
        files["ops/rollback-log.json"] = '{"rehearsals": ["2026-10-02", "2026-11-05"]}\n'
    if registry:
        files["docs/model-registry.md"] = REGISTRY
    write_dedented(root, files)


# ---------------------------------------------------------------------- under pytest
def test_an_installed_extension_works_under_pytest(pytester: pytest.Pytester, tmp_path: Path) -> None:
    pytester.syspathinsert(build_package(tmp_path / "site"))
    write_repository(pytester.path)
    pytester.makepyfile(test_ok="def test_ok():\n    pass\n")
    result = pytester.runpytest("--ml-checklist", TODAY_OPTION, "--ml-checklist-json=report.json", "-v")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["*mlchecklist.yaml::rollback PASSED*", "*mlchecklist.yaml::model-registry PASSED*",
                                 "*catalog acme-ml*"])
    report = json.loads((pytester.path / "report.json").read_text())
    rollback = next(entry for entry in report["items"] if entry["id"] == "rollback")
    assert [piece["detector"] for piece in rollback["evidence"]] == ["acme-rollback-log"]
    assert json.loads((pytester.path / "dashboard.json").read_text()) == {"catalog": "acme-ml", "met": 2, "applicable": 2}


def test_the_extension_detector_decides_from_content(pytester: pytest.Pytester, tmp_path: Path) -> None:
    pytester.syspathinsert(build_package(tmp_path / "site"))
    write_repository(pytester.path, rollback_log=False)
    write_dedented(pytester.path, {"ops/rollback-log.json": '{"rehearsals": []}\n'})
    result = pytester.runpytest("--ml-checklist", TODAY_OPTION, "-v")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*mlchecklist.yaml::rollback FAILED*", "*the rollback log lists no rehearsal*"])
    assert json.loads((pytester.path / "dashboard.json").read_text())["met"] == 1


def test_without_the_extension_its_catalog_is_unknown(pytester: pytest.Pytester) -> None:
    write_repository(pytester.path)
    result = pytester.runpytest("--ml-checklist", TODAY_OPTION)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown catalog 'acme-ml'*mlchecklist.yaml*"])


# ---------------------------------------------------------------------- under the command
def test_an_installed_extension_works_for_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.syspath_prepend(str(build_package(tmp_path / "site")))
    root = tmp_path / "repo"
    write_repository(root)
    code = cli.main(["scan", str(root), "--format", "json", "--today", TODAY.isoformat()])
    report = json.loads(capsys.readouterr().out)
    assert code == cli.EXIT_OK
    assert {entry["id"]: entry["status"] for entry in report["items"]} == {"rollback": "met", "model-registry": "met"}
    assert json.loads((root / "dashboard.json").read_text()) == {"catalog": "acme-ml", "met": 2, "applicable": 2}

    (root / "ops" / "rollback-log.json").unlink()
    assert cli.main(["scan", str(root), "--today", TODAY.isoformat()]) == cli.EXIT_GATE_FAILED
    assert json.loads((root / "dashboard.json").read_text())["met"] == 1


# ---------------------------------------------------------------------- broken extensions
BROKEN = {
    "import-error": ("import not_a_module_anywhere\n", "could not be loaded: ModuleNotFoundError"),
    "misspelt-hook": (
        "from pytest_mlchecklist import hookimpl\n\n@hookimpl\ndef mlchecklist_detector(catalog):\n    return []\n",
        "does not fit the hooks of pytest-mlchecklist",
    ),
    "not-a-detector": (
        "from pytest_mlchecklist import hookimpl\n\n@hookimpl\ndef mlchecklist_detectors(catalog):\n    return [print]\n",
        "returned builtin_function_or_method from mlchecklist_detectors",
    ),
    "relative-catalog-path": (
        "from pytest_mlchecklist import hookimpl\n\n@hookimpl\ndef mlchecklist_catalogs():\n    return ['acme.yaml']\n",
        "return Catalog objects or absolute paths",
    ),
    "builtin-name": (
        "from pathlib import Path\nfrom pytest_mlchecklist import hookimpl\n\n@hookimpl\ndef mlchecklist_catalogs():\n"
        "    return [Path(__file__).parent / 'acme.yaml']\n",
        "adds a catalog named 'production-ml-51' like a built-in catalog",
    ),
    "raising-hook": (
        "from pytest_mlchecklist import hookimpl\n\n@hookimpl\ndef mlchecklist_catalogs():\n    raise RuntimeError('registry down')\n",
        "failed in mlchecklist_catalogs: RuntimeError: registry down",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_extension_is_a_usage_error_naming_it(pytester: pytest.Pytester, tmp_path: Path, case: str) -> None:
    module, expected = BROKEN[case]
    catalog = ACME_CATALOG.replace("name: acme-ml\n", "name: production-ml-51\n").replace("extends: production-ml-51\n", "")
    pytester.syspathinsert(build_package(tmp_path / "site", module=module, catalog=catalog))
    write_dedented(pytester.path, {"mlchecklist.yaml": "profile: [rollback]\n"})
    result = pytester.runpytest("--ml-checklist", TODAY_OPTION)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    text = result.stderr.str() + result.stdout.str()
    assert "Traceback" not in text
    assert "the extension 'acme'" in text or "the extensions" in text, text
    assert expected in text, text


def test_a_failing_result_receiver_fails_the_run_and_the_command(
    pytester: pytest.Pytester, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    module = ACME_MODULE.replace("def mlchecklist_result(result):\n",
                                 "def mlchecklist_result(result):\n    raise ConnectionError('dashboard unreachable')\n")
    pytester.syspathinsert(build_package(tmp_path / "site", module=module))
    write_repository(pytester.path)
    result = pytester.runpytest("--ml-checklist", TODAY_OPTION)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stdout.fnmatch_lines(["*the extension 'acme' failed to receive the result: ConnectionError: dashboard unreachable*"])

    code = cli.main(["scan", str(pytester.path), "--today", TODAY.isoformat()])
    assert code == cli.EXIT_USAGE
    assert "failed to receive the result: ConnectionError" in capsys.readouterr().err


# ---------------------------------------------------------------------- the API itself
def test_catalog_objects_and_result_receivers_registered_by_hand(tmp_path: Path) -> None:
    from pytest_mlchecklist import Catalog, hookimpl
    from pytest_mlchecklist.catalog import load_builtin_catalog
    from pytest_mlchecklist.engine import build_config, build_index, evaluate

    received = []
    base = load_builtin_catalog("production-ml-51")

    class Tool:
        @hookimpl
        def mlchecklist_catalogs(self) -> list[Catalog]:
            return [base.model_copy(update={"name": "acme-copy"})]

        @hookimpl
        def mlchecklist_result(self, result: object) -> None:
            received.append(result)

    extensions = Extensions()
    extensions.register(Tool(), "tool")
    assert extensions.names == ["tool"]
    write_dedented(tmp_path, {"mlchecklist.yaml": "catalog: acme-copy\nprofile: [rollback]\n"})
    config = build_config(tmp_path, today=TODAY, extensions=extensions)
    assert config.catalog.name == "acme-copy"
    result = evaluate(config, build_index(tmp_path, config))
    assert extensions.deliver_result(result) == [] and received == [result]


def test_register_rejects_an_implementation_with_unknown_arguments() -> None:
    from pytest_mlchecklist import hookimpl

    class Wrong:
        @hookimpl
        def mlchecklist_detectors(self, catalog: object, profile: object) -> list[object]:
            return []

    with pytest.raises(ExtensionError, match="the extension 'wrong' does not fit"):
        Extensions().register(Wrong(), "wrong")


def test_the_public_api_is_importable_from_the_package() -> None:
    import pytest_mlchecklist

    for name in ("Catalog", "CatalogItem", "Detector", "DetectorContext", "Evidence", "detector", "hookimpl",
                 "ChecklistResult", "EvidenceRule", "ExtensionError"):
        assert getattr(pytest_mlchecklist, name) is not None, name
    with pytest.raises(AttributeError):
        pytest_mlchecklist.not_a_name  # noqa: B018


def test_the_package_stays_light_without_the_flag(pytester: pytest.Pytester) -> None:
    """Importing the package for the hook marker does not import the engine or pydantic."""
    code = textwrap.dedent("""
        import sys
        import pytest_mlchecklist
        from pytest_mlchecklist import hookimpl
        assert hookimpl is not None
        heavy = [name for name in ("pytest_mlchecklist.engine", "pydantic") if name in sys.modules]
        print("HEAVY", heavy)
    """)
    result = pytester.run(sys.executable, "-c", code)
    result.stdout.fnmatch_lines(["HEAVY []"])


# ---------------------------------------------------------------------- the documented example
DOCS = Path(__file__).resolve().parents[1] / "docs" / "extending.md"


def documented_files() -> dict[str, str]:
    """The code blocks of docs/extending.md whose first line names a file (``# path``)."""
    text = DOCS.read_text(encoding="utf-8")
    files: dict[str, str] = {}
    for block in text.split("```")[1::2]:
        lines = block.split("\n")
        first = lines[1] if len(lines) > 1 else ""
        if (first.startswith("# ") and "/" in first) or first in ("# pyproject.toml", "# mlchecklist.yaml"):
            files[first[2:].strip()] = "\n".join(lines[2:])
    return files


def test_the_documented_example_package_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    files = documented_files()
    assert {"pyproject.toml", "src/acme_mlchecklist/__init__.py", "src/acme_mlchecklist/acme.yaml",
            "mlchecklist.yaml"} <= set(files)
    assert '[project.entry-points.pytest_mlchecklist]\nacme = "acme_mlchecklist"' in files["pyproject.toml"]
    site = tmp_path / "site"
    (site / PACKAGE).mkdir(parents=True)
    (site / PACKAGE / "__init__.py").write_text(files["src/acme_mlchecklist/__init__.py"])
    (site / PACKAGE / "acme.yaml").write_text(files["src/acme_mlchecklist/acme.yaml"])
    write_dedented(site, {
        f"{PACKAGE}-0.1.dist-info/METADATA": "Metadata-Version: 2.1\nName: acme-mlchecklist\nVersion: 0.1\n",
        f"{PACKAGE}-0.1.dist-info/entry_points.txt": f"[pytest_mlchecklist]\nacme = {PACKAGE}\n",
    })
    monkeypatch.syspath_prepend(str(site))
    root = tmp_path / "repo"
    write_dedented(root, {
        "mlchecklist.yaml": files["mlchecklist.yaml"].replace("profile: mature", "profile: [rollback, model-registry]"),
        "deploy/shipit.yaml": "service: fraud-scorer\nrollback:\n  automatic: true\n  rehearsed: 2026-10-02\n",
        "docs/model-registry.md": REGISTRY,
    })
    dashboard = tmp_path / "dashboard.json"
    monkeypatch.setenv("ACME_DASHBOARD_FILE", str(dashboard))
    code = cli.main(["scan", str(root), "--format", "json", "--today", TODAY.isoformat()])
    report = json.loads(capsys.readouterr().out)
    assert code == cli.EXIT_OK
    rollback = next(entry for entry in report["items"] if entry["id"] == "rollback")
    assert rollback["status"] == "met"
    assert rollback["evidence"][0]["detector"] == "acme-shipit-rollback"
    assert json.loads(dashboard.read_text()) == {"catalog": "acme-ml", "percent": 100.0, "verdict": "ready"}

    (root / "deploy" / "shipit.yaml").write_text("rollback:\n  automatic: true\n  rehearsed: 2025-01-02\n")
    assert cli.main(["scan", str(root), "--today", TODAY.isoformat()]) == cli.EXIT_GATE_FAILED
    assert "shipit rollback last rehearsed 2025-01-02, too long ago" in capsys.readouterr().out
