"""The shared import graph: module names, repository-only edges, importers and chains."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from pytest_mlchecklist.detectors.import_graph import ImportGraph, import_graph
from pytest_mlchecklist.repo import RepoIndex


def write(root: Path, files: dict[str, str]) -> RepoIndex:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(content))
    return RepoIndex(root)


SRC_LAYOUT = {
    "src/churn/__init__.py": '"""Churn model."""\nfrom .features import build_features\n',
    "src/churn/features.py": """\
        import pandas as pd


        def build_features(frame: pd.DataFrame) -> pd.DataFrame:
            return frame.assign(ratio=frame["total"] / frame["monthly"])


        class PlanEncoder:
            def fit(self, plans):
                return self

            def transform(self, plans):
                return plans
        """,
    "src/churn/train.py": """\
        from sklearn.linear_model import LogisticRegression

        from churn import features
        """,
    "src/churn/serving/__init__.py": "",
    "src/churn/serving/predictor.py": "from ..features import (\n    build_features,\n)\n",
    "src/churn/serving/api.py": "from churn.serving.predictor import build_features\nimport json\n",
    "src/churn/reporting.py": "from churn import build_features\n",
    "tests/test_features.py": "import churn.features as F\n",
}


def test_module_names_follow_packages_and_drop_src(tmp_path: Path) -> None:
    graph = import_graph(write(tmp_path, SRC_LAYOUT))
    assert graph.name("src/churn/features.py") == "churn.features"
    assert graph.name("src/churn/__init__.py") == "churn"
    assert graph.name("src/churn/serving/api.py") == "churn.serving.api"
    assert graph.name("tests/test_features.py") == "tests.test_features"
    assert graph.is_test("tests/test_features.py") and not graph.is_test("src/churn/train.py")
    assert graph.find("churn.serving.predictor") == "src/churn/serving/predictor.py"
    assert graph.owner("churn.features.build_features") == ("src/churn/features.py", "build_features")


def test_edges_are_repository_modules_only_with_relative_imports_resolved(tmp_path: Path) -> None:
    graph = import_graph(write(tmp_path, SRC_LAYOUT))
    assert graph.imports("src/churn/train.py") == {"src/churn/features.py": 3}  # sklearn dropped
    assert graph.imports("src/churn/serving/predictor.py") == {"src/churn/features.py": 1}
    # importing a submodule is not a use of its parent package's __init__
    assert graph.imports("src/churn/serving/api.py") == {"src/churn/serving/predictor.py": 1}
    # a name re-exported by the package is an edge to the package
    assert graph.imports("src/churn/reporting.py") == {"src/churn/__init__.py": 1}
    assert graph.imports("tests/test_features.py") == {"src/churn/features.py": 1}


def test_importers_and_transitive_chains(tmp_path: Path) -> None:
    graph = import_graph(write(tmp_path, SRC_LAYOUT))
    assert set(graph.importers("src/churn/features.py")) == {
        "src/churn/__init__.py", "src/churn/train.py", "src/churn/serving/predictor.py", "tests/test_features.py",
    }
    reach = graph.reaching("src/churn/features.py")
    assert reach["src/churn/serving/api.py"] == (
        "src/churn/serving/api.py", "src/churn/serving/predictor.py", "src/churn/features.py",
    )
    assert reach["src/churn/reporting.py"] == (
        "src/churn/reporting.py", "src/churn/__init__.py", "src/churn/features.py",
    )
    assert graph.chain("src/churn/serving/api.py", "src/churn/features.py") == reach["src/churn/serving/api.py"]
    assert graph.reachable("src/churn/serving/api.py") == {
        "src/churn/serving/predictor.py": ("src/churn/serving/api.py", "src/churn/serving/predictor.py"),
        "src/churn/features.py": (
            "src/churn/serving/api.py", "src/churn/serving/predictor.py", "src/churn/features.py",
        ),
    }
    assert graph.chain("src/churn/features.py", "src/churn/train.py") is None


def test_definitions_list_top_level_functions_and_class_methods(tmp_path: Path) -> None:
    graph = import_graph(write(tmp_path, SRC_LAYOUT))
    definitions = graph.definitions("src/churn/features.py")
    assert definitions.functions == {"build_features": 4}
    assert definitions.classes == {"PlanEncoder": 8}
    assert definitions.methods == {"PlanEncoder": {"fit": 9, "transform": 12}}


def test_scripts_import_their_siblings_and_nearest_duplicate_wins(tmp_path: Path) -> None:
    index = write(
        tmp_path,
        {
            "training/features.py": "def scale(x):\n    return x / 10\n",
            "training/train.py": "import features\nfrom features import scale\n",
            "services/fraud/app/__init__.py": "",
            "services/fraud/app/main.py": "from app.routes import router\n",
            "services/fraud/app/routes.py": "router = None\n",
            "services/churn/app/__init__.py": "",
            "services/churn/app/main.py": "from app.routes import router\n",
            "services/churn/app/routes.py": "router = None\n",
        },
    )
    graph = import_graph(index)
    assert graph.imports("training/train.py") == {"training/features.py": 1}
    assert graph.imports("services/churn/app/main.py") == {"services/churn/app/routes.py": 1}
    assert graph.imports("services/fraud/app/main.py") == {"services/fraud/app/routes.py": 1}


def test_a_src_prefix_in_imports_finds_the_module(tmp_path: Path) -> None:
    index = write(
        tmp_path,
        {
            "src/features/__init__.py": "",
            "src/features/build_features.py": "def make_dataset(df):\n    return df\n",
            "src/models/train_model.py": "from src.features.build_features import make_dataset\n",
        },
    )
    graph = import_graph(index)
    assert graph.name("src/features/build_features.py") == "features.build_features"
    assert graph.imports("src/models/train_model.py") == {"src/features/build_features.py": 1}


def test_unparsable_and_vendored_modules_are_handled(tmp_path: Path) -> None:
    index = write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/features.py": "def f(x):\n    return x\n",
            "pkg/broken.py": "from pkg.features import f\ndef oops(:\n",
            "vendor/pkg2/features.py": "from pkg.features import f\n",
            "pkg/commented.py": "# from pkg.features import f\nVALUE = 1\n",
        },
    )
    graph = import_graph(index)
    assert "vendor/pkg2/features.py" not in graph
    assert not graph.parses("pkg/broken.py")
    assert graph.imports("pkg/broken.py") == {}
    assert graph.definitions("pkg/broken.py").functions == {}
    assert graph.importers("pkg/features.py") == ()


def test_the_graph_is_built_once_per_index(tmp_path: Path) -> None:
    index = write(tmp_path, {"a.py": "import b\n", "b.py": ""})
    graph = import_graph(index)
    assert isinstance(graph, ImportGraph)
    assert import_graph(index) is graph
    assert graph.imports("a.py") == {"b.py": 1}
