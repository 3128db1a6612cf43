"""The shared reader of the repository's tests (``detectors/test_code.py``)."""

from __future__ import annotations

import ast
import re
import textwrap
from pathlib import Path

from pytest_mlchecklist.detectors.test_code import TestFunction, TestSuite, is_test_module_path, repository_tests
from pytest_mlchecklist.repo import RepoIndex


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


def suite_of(root: Path, files: dict[str, str]) -> TestSuite:
    write(root, files)
    return repository_tests(RepoIndex(root))


def function(suite: TestSuite, nodeid: str) -> TestFunction:
    path = nodeid.split("::", 1)[0]
    module = suite.module(path)
    assert module is not None
    found = {test.nodeid: test for test in module.functions}
    assert nodeid in found, sorted(found)
    return found[nodeid]


PACKAGE = {
    "src/churn/__init__.py": "",
    "src/churn/features.py": '''
        import pandas as pd

        def build_training_set(frame: pd.DataFrame) -> pd.DataFrame:
            return frame.assign(tenure_years=frame["tenure_days"] / 365)
    ''',
    "src/churn/predictor.py": '''
        class Predictor:
            def __init__(self, model):
                self.model = model

            def features(self, record):
                return {"tenure_years": record["tenure_days"] / 365}
    ''',
    "src/churn/service.py": '''
        from fastapi import FastAPI

        app = FastAPI()
    ''',
}


def test_node_ids_cover_functions_classes_nested_classes_and_unittest(tmp_path: Path) -> None:
    suite = suite_of(tmp_path, {
        **PACKAGE,
        "tests/test_ids.py": '''
            import unittest

            def test_plain():
                assert True

            class TestGroup:
                def test_method(self):
                    assert True

                class TestInner:
                    def test_deep(self):
                        assert True

            class Helper:
                def test_not_collected(self):
                    assert True

            class WithInit:
                def __init__(self):
                    pass

            class ScoringCase(unittest.TestCase):
                def test_unittest_style(self):
                    self.assertTrue(True)

            def helper():
                pass
        ''',
    })
    module = suite.module("tests/test_ids.py")
    assert module is not None
    assert [test.nodeid for test in module.functions] == [
        "tests/test_ids.py::test_plain",
        "tests/test_ids.py::TestGroup::test_method",
        "tests/test_ids.py::TestGroup::TestInner::test_deep",
        "tests/test_ids.py::ScoringCase::test_unittest_style",
    ]
    assert module.functions[1].class_name == "TestGroup"


def test_which_files_are_test_modules() -> None:
    assert is_test_module_path("tests/test_skew.py")
    assert is_test_module_path("pkg/skew_test.py")
    assert not is_test_module_path("tests/conftest.py")
    assert not is_test_module_path("tests/helpers.py")


def test_repository_modules_follow_the_src_layout_and_exclude_tests_and_vendored_code(tmp_path: Path) -> None:
    suite = suite_of(tmp_path, {
        **PACKAGE,
        "services/ranker/app/main.py": "app = None\n",
        "vendor/lib/json.py": "",
        "tests/test_x.py": "def test_x():\n    assert True\n",
    })
    assert suite.is_repo_name("churn.features.build_training_set")
    assert suite.repo_module_of("churn.predictor.Predictor().features") == "churn.predictor"
    assert suite.is_repo_name("app.main.app")  # a service folder put on sys.path by the tests
    assert not suite.is_repo_name("tests.test_x")
    assert not suite.is_repo_name("json.loads")
    assert not suite.is_repo_name("pandas.DataFrame")


def test_parametrize_cases_ids_pytest_param_and_module_level_lists(tmp_path: Path) -> None:
    suite = suite_of(tmp_path, {
        **PACKAGE,
        "tests/test_cases.py": '''
            import pytest
            from churn.predictor import Predictor

            BAD = [{"tenure_days": None}, {"tenure_days": -1}]

            pytestmark = pytest.mark.parametrize("region", ["eu", "us"])

            @pytest.mark.parametrize("record", BAD)
            @pytest.mark.parametrize(
                ("value", "expected"),
                [(0, 0.0), pytest.param(365, 1.0, id="one-year"), [730, 2.0]],
                ids=["zero"],
            )
            def test_cases(record, value, expected, region):
                assert Predictor(None).features({"tenure_days": value})["tenure_years"] == expected
        ''',
    })
    test = function(suite, "tests/test_cases.py::test_cases")
    assert [mark.argnames for mark in test.parametrize] == [("region",), ("record",), ("value", "expected")]
    cases = test.parametrize[2]
    assert [tuple(ast.literal_eval(value) for value in case) for case in cases.cases] == [(0, 0.0), (365, 1.0), (730, 2.0)]
    assert cases.ids == ("zero", "one-year")
    assert [ast.literal_eval(value) for value in test.parameter_values("record")] == [{"tenure_days": None}, {"tenure_days": -1}]
    assert test.parameter_values("missing") == []


def test_hypothesis_strategies_are_followed_through_names_and_composites(tmp_path: Path) -> None:
    suite = suite_of(tmp_path, {
        **PACKAGE,
        "tests/test_props.py": '''
            from hypothesis import given, strategies as st
            from churn.predictor import Predictor

            tenures = st.floats(allow_nan=True)

            @st.composite
            def records(draw):
                return {"tenure_days": draw(st.integers()), "plan": draw(st.text())}

            @given(tenures, record=records())
            def test_props(tenure, record):
                assert Predictor(None).features(record) is not None
        ''',
    })
    test = function(suite, "tests/test_props.py::test_props")
    names = sorted((strategy.name, strategy.argname) for strategy in test.strategies)
    assert ("hypothesis.strategies.floats", None) in names
    assert ("hypothesis.strategies.integers", "record") in names
    assert ("hypothesis.strategies.text", "record") in names
    assert "given" in test.marks


def test_calls_resolve_through_aliases_locals_fixtures_annotations_and_clients(tmp_path: Path) -> None:
    suite = suite_of(tmp_path, {
        **PACKAGE,
        "tests/conftest.py": '''
            import pytest
            from fastapi.testclient import TestClient
            from churn.predictor import Predictor
            from churn.service import app

            @pytest.fixture
            def predictor():
                return Predictor(model=None)

            @pytest.fixture
            def client():
                with TestClient(app) as test_client:
                    yield test_client
        ''',
        "tests/test_calls.py": '''
            import pandas as pd
            from churn import features as feats
            from churn.predictor import Predictor

            def test_calls(predictor, client, other: Predictor):
                frame = pd.DataFrame([{"tenure_days": 10}])
                offline = feats.build_training_set(frame)
                online = predictor.features({"tenure_days": 10})
                typed = other.features({"tenure_days": 10})
                response = client.post("/features", json={"tenure_days": 10})
                assert response.status_code == 200
        ''',
    })
    test = function(suite, "tests/test_calls.py::test_calls")
    by_label = {call.label: call for call in test.own_calls}
    assert by_label["pd.DataFrame"].name == "pandas.DataFrame"
    assert by_label["pd.DataFrame"].target is None
    assert by_label["feats.build_training_set"].target == "churn.features.build_training_set"
    assert by_label["predictor.features"].target == "churn.predictor.Predictor().features"
    assert by_label["other.features"].target == "churn.predictor.Predictor.features"
    request = by_label["POST /features"]
    assert request.http is not None and request.http.repo and request.http.app == "churn.service.app"
    assert request.exercises_repo
    fixture_calls = [call for call in test.calls if call.fixture == "predictor"]
    assert [call.name for call in fixture_calls] == ["churn.predictor.Predictor"]


def test_flask_unittest_and_django_clients(tmp_path: Path) -> None:
    suite = suite_of(tmp_path, {
        "manage.py": "",
        "shop/__init__.py": "",
        "shop/app.py": "def create_app():\n    return None\n",
        "tests/test_clients.py": '''
            import unittest
            from django.test import TestCase
            from shop.app import create_app

            class FlaskApi(unittest.TestCase):
                def setUp(self):
                    self.client = create_app().test_client()

                def test_bad_payload(self):
                    response = self.client.post("/predict", json={})
                    self.assertEqual(response.status_code, 400)

            class DjangoApi(TestCase):
                def test_bad_payload(self):
                    response = self.client.post("/predict/", data={})
                    self.assertEqual(response.status_code, 422)
        ''',
    })
    flask = function(suite, "tests/test_clients.py::FlaskApi::test_bad_payload")
    request = next(call for call in flask.calls if call.http is not None)
    assert request.http is not None and request.http.app == "shop.app.create_app()" and request.http.repo
    (check,) = flask.assertions
    assert check.kind == "check" and request in check.sources(check.operands[0])
    django = function(suite, "tests/test_clients.py::DjangoApi::test_bad_payload")
    request = next(call for call in django.calls if call.http is not None)
    assert request.http is not None and request.http.app == "django" and request.http.repo


def test_assertions_raises_checks_and_data_flow(tmp_path: Path) -> None:
    suite = suite_of(tmp_path, {
        **PACKAGE,
        "tests/test_flow.py": '''
            import numpy as np
            import pandas as pd
            import pytest
            from pandas.testing import assert_frame_equal
            from pydantic import ValidationError
            from churn.features import build_training_set
            from churn.predictor import Predictor

            def _served(records):
                predictor = Predictor(None)
                return pd.DataFrame([predictor.features(record) for record in records])

            def test_flow(raw):
                offline = build_training_set(pd.DataFrame(raw))[["tenure_years"]]
                online = _served(raw)
                assert len(offline) == len(online) and offline.shape[1] == 1
                assert_frame_equal(offline, online)
                np.testing.assert_allclose(offline.values, online.values, rtol=1e-6)
                with pytest.raises(ValidationError, match="tenure") as caught:
                    Predictor(None).features({"tenure_days": "x"})
                pytest.raises(ValueError, build_training_set, None)
        ''',
    })
    test = function(suite, "tests/test_flow.py::test_flow")
    kinds = [assertion.kind for assertion in test.assertions]
    assert kinds == ["assert", "assert", "check", "check", "raises", "raises"]
    length, shape, frames, allclose, raises, call_form = test.assertions
    assert [operand.__class__.__name__ for operand in length.operands] == ["Call", "Call"]
    left = {call.label for call in frames.sources(frames.operands[0])}
    right = {call.label for call in frames.sources(frames.operands[1])}
    assert "build_training_set" in left and "build_training_set" not in right
    assert "predictor.features" in right  # through the module helper `_served`
    assert "raw" in frames.inputs(frames.operands[0]) and "raw" in frames.inputs(frames.operands[1])
    assert raises.exceptions == ("pydantic.ValidationError",)
    assert {call.name for call in raises.calls} == {"churn.predictor.Predictor", "churn.predictor.Predictor().features"}
    assert raises.message_checked
    assert call_form.exceptions == ("ValueError",)
    assert [call.target for call in call_form.calls] == ["churn.features.build_training_set"]
    assert not call_form.message_checked
    helper_calls = [call for call in test.calls if call.helper == "_served"]
    assert {call.label for call in helper_calls} >= {"Predictor", "predictor.features"}


def test_skipped_tests_are_recognised(tmp_path: Path) -> None:
    suite = suite_of(tmp_path, {
        "tests/test_skips.py": '''
            import sys
            import unittest
            import pytest

            @pytest.mark.skip(reason="flaky")
            def test_skip():
                assert True

            @pytest.mark.skipif(sys.platform == "win32", reason="posix only")
            def test_conditional():
                assert True

            @pytest.mark.xfail(reason="known bug")
            def test_xfail():
                assert True

            def test_skip_call():
                """Not ready."""
                pytest.skip("not ready")

            @unittest.skip("later")
            class TestLater:
                def test_inside(self):
                    assert True
        ''',
    })
    module = suite.module("tests/test_skips.py")
    assert module is not None
    assert {test.name: test.skipped for test in module.functions} == {
        "test_skip": True, "test_conditional": False, "test_xfail": True, "test_skip_call": True, "test_inside": True,
    }


def test_modules_are_selected_by_hint_parsed_once_and_broken_ones_reported(tmp_path: Path) -> None:
    write(tmp_path, {
        **PACKAGE,
        "tests/test_serving.py": "from churn.predictor import Predictor\n\ndef test_serving():\n    assert Predictor(None)\n",
        "tests/test_other.py": "def test_other():\n    assert 1 + 1 == 2\n",
        "tests/test_broken.py": "def test_broken(:\n    assert Predictor\n",
        "vendor/pkg/tests/test_vendored.py": "def test_vendored():\n    assert Predictor\n",
    })
    index = RepoIndex(tmp_path)
    suite = repository_tests(index)
    assert repository_tests(index) is suite
    assert suite.candidates(re.compile("Predictor")) == ["tests/test_broken.py", "tests/test_serving.py"]
    assert suite.module("tests/test_broken.py") is None
    assert "could not be parsed as Python" in (index.problem("tests/test_broken.py") or "")
    module = suite.module("tests/test_serving.py")
    assert module is not None and suite.module("tests/test_serving.py") is module
    assert module.repo_imports == frozenset({"churn.predictor", "churn.predictor.Predictor"})
    assert [test.name for test in suite.functions(re.compile("Predictor"))] == ["test_serving"]


def test_httpx_pytest_flask_and_pytest_django_clients(tmp_path: Path) -> None:
    suite = suite_of(tmp_path, {
        **PACKAGE,
        "manage.py": "",
        "tests/conftest.py": '''
            import pytest
            from churn.service import app as service_app

            @pytest.fixture
            def app():
                return service_app
        ''',
        "tests/test_async.py": '''
            import httpx
            import pytest
            from churn.service import app


            async def test_async_client():
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                    response = await client.get("/health")
                assert response.status_code == 200


            def test_flask_plugin_client(client):
                assert client.post("/features", json={}).status_code == 422
        ''',
        "web/tests/test_views.py": '''
            def test_django_client(client):
                assert client.get("/predict/").status_code == 405
        ''',
    })
    async_test = function(suite, "tests/test_async.py::test_async_client")
    (request,) = [call for call in async_test.calls if call.http is not None]
    assert request.label == "GET /health" and request.http is not None and request.http.app == "churn.service.app"
    plugin = function(suite, "tests/test_async.py::test_flask_plugin_client")
    (request,) = [call for call in plugin.calls if call.http is not None]
    assert request.http is not None and request.http.app == "churn.service.app" and request.http.repo
    django = function(suite, "web/tests/test_views.py::test_django_client")
    (request,) = [call for call in django.calls if call.http is not None]
    assert request.http is not None and request.http.app == "django"


def test_comprehension_variables_carry_what_their_iterable_holds(tmp_path: Path) -> None:
    suite = suite_of(tmp_path, {
        **PACKAGE,
        "tests/test_loop.py": '''
            from churn.predictor import Predictor

            ROWS = [{"tenure_days": 1, "monthly_spend": 2.0}]


            def test_loop(raw_events):
                served = [Predictor(None).features(row) for row in raw_events]
                row = "unrelated"
                assert served == [dict(row) for row in ROWS]
        ''',
    })
    test = function(suite, "tests/test_loop.py::test_loop")
    (assertion,) = test.assertions
    left, right = assertion.operands
    assert "raw_events" in assertion.inputs(left) and "ROWS" not in assertion.inputs(left)
    assert "ROWS" in assertion.inputs(right) and "raw_events" not in assertion.inputs(right)
    assert any(call.label == "Predictor" for call in assertion.sources(left))
    assert not assertion.sources(right) - {call for call in test.calls if call.label == "dict"}
