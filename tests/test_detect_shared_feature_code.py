"""Item 8 (shared-feature-code): one feature module used by training and serving, or Feast views read by both."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from conftest import run_detector, verdicts

from pytest_mlchecklist.detectors.code_structure import feature_store_definitions, shared_feature_code
from pytest_mlchecklist.evidence import Evidence

ITEM = "shared-feature-code"


def write(root: Path, files: dict[str, str]) -> Path:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(content))
    return root


def details(evidence: list[Evidence]) -> str:
    return " | ".join(found.detail for found in evidence)


FEATURES = '''\
"""Feature engineering for the churn model: one implementation for training and serving."""

from __future__ import annotations

import numpy as np
import pandas as pd

PLAN_ORDER = {"basic": 0, "plus": 1, "premium": 2}


def tenure_bucket(tenure_months: pd.Series) -> pd.Series:
    return pd.cut(tenure_months, bins=[-1, 6, 12, 24, 1000], labels=False)


def encode_plan(plan: pd.Series) -> pd.Series:
    return plan.map(PLAN_ORDER).fillna(-1)


def spend_ratio(monthly: pd.Series, total: pd.Series) -> pd.Series:
    return (total / monthly.replace(0, np.nan)).fillna(0.0)


def build_features(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "tenure_bucket": tenure_bucket(frame["tenure_months"]),
            "plan": encode_plan(frame["plan"]),
            "spend_ratio": spend_ratio(frame["monthly_charges"], frame["total_charges"]),
        }
    )
'''

TRAIN = '''\
"""Train the churn classifier from the monthly export."""

import joblib
import pandas as pd
from sklearn.ensemble import GradientBoostingClassifier

from churn.features import build_features


def main(path: str, out: str) -> None:
    frame = pd.read_parquet(path)
    X = build_features(frame)
    model = GradientBoostingClassifier(random_state=7)
    model.fit(X, frame["churned"])
    joblib.dump(model, out)
'''

APP = '''\
import joblib
import pandas as pd
from fastapi import FastAPI
from pydantic import BaseModel

{import_line}

app = FastAPI()
model = joblib.load("/models/churn.joblib")


class Customer(BaseModel):
    tenure_months: int
    plan: str
    monthly_charges: float
    total_charges: float


@app.post("/predict")
def predict(customer: Customer) -> dict[str, float]:
    features = build_features(pd.DataFrame([customer.model_dump()]))
    return {{"churn_probability": float(model.predict_proba(features)[0, 1])}}
'''

COPIED_APP = '''\
import joblib
import pandas as pd
from fastapi import FastAPI

app = FastAPI()
model = joblib.load("/models/churn.joblib")
PLANS = {"basic": 0, "plus": 1, "premium": 2}


def tenure_bucket(months: int) -> int:
    return 0 if months <= 6 else 1 if months <= 12 else 2 if months <= 24 else 3


def encode_plan(plan: str) -> int:
    return PLANS.get(plan, -1)


@app.post("/predict")
def predict(payload: dict) -> dict[str, float]:
    row = [tenure_bucket(payload["tenure_months"]), encode_plan(payload["plan"])]
    return {"churn_probability": float(model.predict_proba([row])[0, 1])}
'''


def churn_repo(root: Path, app: str, extra: dict[str, str] | None = None) -> Path:
    files = {
        "src/churn/__init__.py": "",
        "src/churn/features.py": FEATURES,
        "src/churn/train.py": TRAIN,
        "src/churn/serving/__init__.py": "",
        "src/churn/serving/app.py": app,
    }
    files.update(extra or {})
    return write(root, files)


def test_one_feature_module_used_by_training_and_serving_supports(tmp_path: Path) -> None:
    churn_repo(tmp_path, APP.format(import_line="from churn.features import build_features"))
    evidence = run_detector(shared_feature_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].detail == (
        "`churn.features` used by training (`src/churn/train.py`) and serving (`src/churn/serving/app.py`)"
    )
    assert evidence[0].path == "src/churn/features.py"
    assert evidence[0].line == 11


def test_relative_and_transitive_imports_count(tmp_path: Path) -> None:
    predictor = '''\
        from ..features import build_features


        class ChurnPredictor:
            def __init__(self, model):
                self.model = model

            def predict(self, frame):
                return self.model.predict_proba(build_features(frame))[:, 1]
        '''
    api = '''\
        from flask import Flask, jsonify, request

        from churn.serving.predictor import ChurnPredictor

        app = Flask(__name__)


        @app.route("/v1/churn", methods=["POST"])
        def score():
            return jsonify(ChurnPredictor(None).predict(request.get_json()))
        '''
    churn_repo(tmp_path, dedent(api), {"src/churn/serving/predictor.py": dedent(predictor)})
    evidence = run_detector(shared_feature_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "serving (`src/churn/serving/predictor.py`)" in evidence[0].detail


def test_serving_that_reimplements_the_features_is_partial(tmp_path: Path) -> None:
    churn_repo(tmp_path, COPIED_APP)
    evidence = run_detector(shared_feature_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "serving re-implements `encode_plan`, `tenure_bucket` in `src/churn/serving/app.py`" in evidence[0].detail
    assert "instead of importing `churn.features`" in evidence[0].detail
    assert evidence[0].path == "src/churn/serving/app.py"


def test_serving_that_imports_the_module_but_redefines_a_feature_is_partial(tmp_path: Path) -> None:
    app = APP.format(import_line="from churn.features import build_features") + dedent('''\


        def spend_ratio(monthly: float, total: float) -> float:
            return total / monthly if monthly else 0.0
        ''')
    churn_repo(tmp_path, app)
    evidence = run_detector(shared_feature_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "but `src/churn/serving/app.py` redefines `spend_ratio` instead of calling it" in evidence[0].detail


def test_a_serving_wrapper_that_calls_the_shared_function_is_fine(tmp_path: Path) -> None:
    app = APP.format(import_line="from churn import features") .replace(
        "features = build_features(", "features = build_features_for_request("
    ) + dedent('''\


        def build_features(frame):
            return features.build_features(frame)


        def build_features_for_request(frame):
            return build_features(frame)
        ''')
    churn_repo(tmp_path, app)
    evidence = run_detector(shared_feature_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]


def test_no_serving_code_is_partial_and_says_so(tmp_path: Path) -> None:
    write(tmp_path, {"src/churn/__init__.py": "", "src/churn/features.py": FEATURES, "src/churn/train.py": TRAIN})
    evidence = run_detector(shared_feature_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "`churn.features` is used by training (`src/churn/train.py`); no serving code found" in evidence[0].detail


def test_no_training_code_is_partial_and_says_so(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "src/churn/__init__.py": "",
            "src/churn/features.py": FEATURES,
            "src/churn/serving/__init__.py": "",
            "src/churn/serving/app.py": APP.format(import_line="from churn.features import build_features"),
        },
    )
    evidence = run_detector(shared_feature_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "is used by serving (`src/churn/serving/app.py`); no training code found" in evidence[0].detail


def test_commented_out_import_in_serving_does_not_count(tmp_path: Path) -> None:
    app = APP.format(import_line="# from churn.features import build_features\nfrom churn.legacy import build_features")
    churn_repo(tmp_path, app, {"src/churn/legacy.py": "def build_row(payload):\n    return [payload['plan']]\n"})
    evidence = run_detector(shared_feature_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "but no serving code uses its functions (serving: `src/churn/serving/app.py`)" in evidence[0].detail


def test_nothing_there(tmp_path: Path) -> None:
    write(tmp_path, {"README.md": "# churn\n", "notebooks/explore.py": "print('hello')\n"})
    assert run_detector(shared_feature_code, tmp_path) == []
    assert run_detector(feature_store_definitions, tmp_path) == []


def test_a_features_module_without_code_and_test_helpers_are_not_feature_modules(tmp_path: Path) -> None:
    app = APP.format(import_line="from churn.rows import build_row as build_features")
    churn_repo(
        tmp_path,
        app,
        {
            "src/churn/features.py": '"""TODO: move the feature code here."""\nFEATURE_NAMES = ["plan"]\n',
            "src/churn/rows.py": "def build_row(frame):\n    return frame\n",
            "tests/features.py": "def make_features():\n    return {}\n",
        },
    )
    evidence = run_detector(shared_feature_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "no feature module" in evidence[0].detail


def test_a_feature_module_that_does_not_parse_is_unreadable(tmp_path: Path) -> None:
    churn_repo(tmp_path, APP.format(import_line="from churn.features import build_features"),
               {"src/churn/features.py": "def build_features(frame:\n    return frame\n"})
    evidence = run_detector(shared_feature_code, tmp_path)
    assert "unreadable" in verdicts(evidence, ITEM)
    assert "supports" not in verdicts(evidence, ITEM)
    assert any(found.path == "src/churn/features.py" and "Python" in found.detail for found in evidence)


# ------------------------------------------------------------------ Feast
FEATURE_REPO = '''\
from datetime import timedelta

from feast import Entity, FeatureView, Field, FileSource
from feast.types import Float32, Int64

customer = Entity(name="customer", join_keys=["customer_id"])

usage_source = FileSource(path="data/usage.parquet", timestamp_field="event_timestamp")

customer_usage = FeatureView(
    name="customer_usage",
    entities=[customer],
    ttl=timedelta(days=30),
    schema=[Field(name="calls_7d", dtype=Int64), Field(name="spend_30d", dtype=Float32)],
    source=usage_source,
)
'''

FEAST_TRAIN = '''\
import pandas as pd
from feast import FeatureStore
from sklearn.linear_model import LogisticRegression

store = FeatureStore(repo_path="feature_repo")


def main(entities: pd.DataFrame) -> LogisticRegression:
    training = store.get_historical_features(
        entity_df=entities, features=["customer_usage:calls_7d", "customer_usage:spend_30d"]
    ).to_df()
    return LogisticRegression().fit(training[["calls_7d", "spend_30d"]], training["churned"])
'''

FEAST_SERVE = '''\
from fastapi import FastAPI
from feast import FeatureStore

app = FastAPI()
store = FeatureStore(repo_path="feature_repo")


@app.get("/churn/{{customer_id}}")
def churn(customer_id: int) -> dict:
    row = store.get_online_features(
        features=[{refs}], entity_rows=[{{"customer_id": customer_id}}]
    ).to_dict()
    return row
'''


def test_feast_views_read_by_training_and_serving_support(tmp_path: Path) -> None:
    write(tmp_path, {
        "feature_repo/definitions.py": FEATURE_REPO,
        "training/train.py": FEAST_TRAIN,
        "serving/app.py": FEAST_SERVE.format(refs='"customer_usage:calls_7d", "customer_usage:spend_30d"'),
    })
    evidence = run_detector(feature_store_definitions, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "Feast views `customer_usage` read by training (`get_historical_features` in `training/train.py:9`)" in (
        evidence[0].detail
    )
    assert "serving (`get_online_features` in `serving/app.py:10`)" in evidence[0].detail


def test_feast_only_offline_retrieval_is_partial(tmp_path: Path) -> None:
    write(tmp_path, {"feature_repo/definitions.py": FEATURE_REPO, "training/train.py": FEAST_TRAIN})
    evidence = run_detector(feature_store_definitions, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].detail == (
        "Feast features read by training (`get_historical_features` in `training/train.py:9`) but not by serving "
        "(no `get_online_features`)"
    )


def test_feast_training_and_serving_reading_different_views_is_partial(tmp_path: Path) -> None:
    write(tmp_path, {
        "feature_repo/definitions.py": FEATURE_REPO,
        "training/train.py": FEAST_TRAIN,
        "serving/app.py": FEAST_SERVE.format(refs='"customer_profile:age"'),
    })
    evidence = run_detector(feature_store_definitions, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "no view is shared" in evidence[0].detail


def test_feast_retrieval_in_tests_only_does_not_count(tmp_path: Path) -> None:
    write(tmp_path, {
        "feature_repo/definitions.py": FEATURE_REPO,
        "training/train.py": FEAST_TRAIN,
        "tests/test_online.py": (
            "def test_online(store):\n    assert store.get_online_features(features=[], entity_rows=[])\n"
        ),
    })
    assert verdicts(run_detector(feature_store_definitions, tmp_path), ITEM) == ["partial"]


def test_feast_definitions_that_do_not_parse_are_unreadable(tmp_path: Path) -> None:
    write(tmp_path, {"feature_repo/definitions.py": "from feast import FeatureView\nFeatureView(name=\n"})
    assert verdicts(run_detector(feature_store_definitions, tmp_path), ITEM) == ["unreadable"]


def test_a_declared_module_with_an_unusual_name_is_judged_as_a_feature_module(tmp_path: Path) -> None:
    signals = "def spend_ratio(monthly, total):\n    return total / monthly if monthly else 0.0\n"
    train = TRAIN.replace("from churn.features import build_features", "from churn.signals import spend_ratio")
    app = APP.format(import_line="from churn.signals import spend_ratio as build_features")
    write(tmp_path, {
        "src/churn/__init__.py": "",
        "src/churn/signals.py": signals,
        "src/churn/train.py": train,
        "src/churn/serving/__init__.py": "",
        "src/churn/serving/app.py": app,
    })
    assert verdicts(run_detector(shared_feature_code, tmp_path), ITEM) == ["partial"]  # no feature module found
    evidence = run_detector(shared_feature_code, tmp_path, evidence={ITEM: ["src/churn/signals.py"]})
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].detail.startswith("`churn.signals` used by training (`src/churn/train.py`)")


def test_example_scripts_are_not_serving_code(tmp_path: Path) -> None:
    example = "from churn.features import build_features\n\n\ndef predict(frame):\n    return build_features(frame)\n"
    write(tmp_path, {
        "src/churn/__init__.py": "",
        "src/churn/features.py": FEATURES,
        "src/churn/train.py": TRAIN,
        "examples/serve_locally.py": example,
        "docs/snippets/predict.py": example,
    })
    evidence = run_detector(shared_feature_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "no serving code found" in evidence[0].detail


def test_serving_that_imports_only_constants_and_recomputes_features_is_partial(tmp_path: Path) -> None:
    app = COPIED_APP.replace("PLANS = {", "from churn.features import PLAN_ORDER\n\nPLANS = {")
    churn_repo(tmp_path, app)
    evidence = run_detector(shared_feature_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "serving re-implements `encode_plan`, `tenure_bucket` in `src/churn/serving/app.py`" in evidence[0].detail
