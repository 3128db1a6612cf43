"""Item 24 (edge-case-tests): tests feed the prediction code empty, null, long, extreme and hostile inputs."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from conftest import run_detector, verdicts

from pytest_mlchecklist.detectors.test_behaviour import (
    CATEGORIES,
    EMPTY,
    EXTREME,
    HOSTILE,
    LONG,
    NULL,
    TAILS,
    TYPES,
    edge_case_inputs,
    edge_categories,
)
from pytest_mlchecklist.detectors.test_code import repository_tests
from pytest_mlchecklist.repo import RepoIndex

ITEM = "edge-case-tests"

SERVICE = {
    "src/pricing/__init__.py": "",
    "src/pricing/schemas.py": '''
        from pydantic import BaseModel, Field

        class Listing(BaseModel):
            title: str = Field(max_length=200)
            surface_m2: float = Field(gt=0)
            rooms: int | None = None
    ''',
    "src/pricing/predict.py": '''
        from pricing.schemas import Listing

        def predict_price(payload: dict) -> float:
            listing = Listing.model_validate(payload)
            return 1000.0 * listing.surface_m2
    ''',
    "src/pricing/text.py": '''
        def slug(value: str) -> str:
            return value.lower().replace(" ", "-")
    ''',
}


def repo(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return root


def categories_of(root: Path, source: str) -> list[str]:
    """The categories found in the only test of ``tests/test_cases.py``."""
    repo(root, {**SERVICE, "tests/test_cases.py": source})
    suite = repository_tests(RepoIndex(root))
    module = suite.module("tests/test_cases.py")
    assert module is not None
    (function,) = module.functions
    found = edge_categories(suite, function)
    return [category for category in CATEGORIES if category in found]


PARAMETRIZED = '''
    import math

    import pytest
    from pydantic import ValidationError

    from pricing.predict import predict_price

    BASE = {"title": "Two-room flat", "surface_m2": 48.0, "rooms": 2}


    @pytest.mark.parametrize(
        "overrides",
        [
            {"title": ""},
            {"rooms": None},
            {"title": "x" * 201},
            {"surface_m2": float("inf")},
            {"surface_m2": 1e308},
            {"title": "Appartement près de la gare"},
            {"title": "<script>alert(1)</script>"},
            {"surface_m2": "forty"},
        ],
        ids=["empty-title", "null-rooms", "too-long", "inf", "huge", "accents", "html", "wrong-type"],
    )
    def test_bad_listings_are_refused(overrides):
        with pytest.raises(ValidationError):
            predict_price({**BASE, **overrides})


    def test_the_largest_flat_still_gets_a_finite_price():
        assert math.isfinite(predict_price({**BASE, "surface_m2": 10_000.0}))
'''


def test_parametrized_edge_cases_covering_many_categories_support(tmp_path: Path) -> None:
    repo(tmp_path, {**SERVICE, "tests/test_edge_cases.py": PARAMETRIZED})
    evidence = run_detector(edge_case_inputs, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    (found,) = evidence
    assert found.nodeid == "tests/test_edge_cases.py::test_bad_listings_are_refused"
    assert found.path == "tests/test_edge_cases.py" and found.line == 25
    assert "empty, null/missing, max-length, extreme numbers, unicode/control/hostile strings, wrong types" in found.detail
    assert "`predict_price`" in found.detail
    assert "6 of 7 edge-case categories" in found.detail


def test_hypothesis_strategies_and_several_tests_together_support(tmp_path: Path) -> None:
    repo(tmp_path, {**SERVICE, "tests/test_properties.py": '''
        from hypothesis import given, strategies as st

        from pricing.predict import predict_price


        @given(title=st.text(), surface=st.floats(min_value=1, max_value=500))
        def test_any_title_is_handled(title, surface):
            try:
                price = predict_price({"title": title, "surface_m2": surface})
            except ValueError:
                return
            assert price > 0
    ''', "tests/test_limits.py": '''
        import numpy as np
        import pytest

        from pricing.predict import predict_price


        def test_a_surface_beyond_the_training_range():
            surfaces = np.array([30.0, 120.0, 480.0])
            assert predict_price({"title": "Loft", "surface_m2": surfaces.max() * 10}) > 0


        def test_missing_surface_is_refused():
            payload = {"title": "Loft", "surface_m2": 40.0}
            del payload["surface_m2"]
            with pytest.raises(ValueError):
                predict_price(payload)
    '''})
    evidence = run_detector(edge_case_inputs, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports", "supports", "supports"]
    nodeids = [found.nodeid for found in evidence]
    assert nodeids[0] == "tests/test_properties.py::test_any_title_is_handled"
    assert set(nodeids[1:]) == {
        "tests/test_limits.py::test_a_surface_beyond_the_training_range",
        "tests/test_limits.py::test_missing_surface_is_refused",
    }
    assert all("the tests cover 4 of 7 edge-case categories" in found.detail for found in evidence)
    assert "empty, unicode/control/hostile strings" in evidence[0].detail


def test_partial_names_the_missing_categories(tmp_path: Path) -> None:
    repo(tmp_path, {**SERVICE, "tests/test_predict.py": '''
        import pytest

        from pricing.predict import predict_price


        @pytest.mark.parametrize("title", ["", "   "])
        def test_blank_titles_are_refused(title):
            with pytest.raises(ValueError):
                predict_price({"title": title, "surface_m2": None})
    '''})
    evidence = run_detector(edge_case_inputs, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    detail = evidence[0].detail
    assert "cover only 2 of 7 categories (4 needed)" in detail
    assert "missing: max-length, extreme numbers, unicode/control/hostile strings, wrong types, distribution tails" in detail
    assert evidence[0].nodeid == "tests/test_predict.py::test_blank_titles_are_refused"


def test_nothing_without_tests(tmp_path: Path) -> None:
    repo(tmp_path, SERVICE)
    assert run_detector(edge_case_inputs, tmp_path) == []


def test_edge_values_in_tests_of_other_code_are_not_evidence(tmp_path: Path) -> None:
    repo(tmp_path, {**SERVICE, "tests/test_text.py": '''
        import pytest

        from pricing.text import slug


        @pytest.mark.parametrize("value", ["", None, "x" * 500, "Crème brûlée", float("inf")])
        def test_slug_never_crashes(value):
            assert isinstance(slug(str(value)), str)
    ''', "tests/test_expected_values.py": '''
        from pricing.predict import predict_price


        def test_a_normal_flat():
            expected = [None, "", float("nan")]
            assert predict_price({"title": "Flat", "surface_m2": 50.0}) not in expected
            assert ", ".join(["a", "b"]) == "a, b"
    ''', "tests/test_skipped.py": '''
        import pytest

        from pricing.predict import predict_price


        @pytest.mark.skip(reason="slow")
        @pytest.mark.parametrize("payload", [{}, {"title": None}, {"surface_m2": float("inf")}, {"title": "é" * 300}])
        def test_edge_payloads(payload):
            with pytest.raises(ValueError):
                predict_price(payload)
    '''})
    evidence = run_detector(edge_case_inputs, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "calls no prediction or validation code" in evidence[0].detail
    assert evidence[0].nodeid == "tests/test_text.py::test_slug_never_crashes"


def test_a_test_module_that_does_not_parse_is_unreadable(tmp_path: Path) -> None:
    repo(tmp_path, {**SERVICE, "tests/test_edge_cases.py": "def test_edge(:\n    predict_price({})\n"})
    evidence = run_detector(edge_case_inputs, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]
    assert evidence[0].path == "tests/test_edge_cases.py"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('predict_price({"title": "", "rooms": []})', [EMPTY]),
        ("predict_price(pd.DataFrame())", [EMPTY]),
        ('predict_price({"surface_m2": np.nan, "rooms": pd.NA})', [NULL]),
        ('predict_price({"surface_m2": "NaN"})', [NULL]),
        ('predict_price({"title": "a" * MAX_TITLE})', [LONG]),
        ("predict_price({\"surface_m2\": -np.inf})", [EXTREME]),
        ('predict_price({"surface_m2": 10 ** 12})', [EXTREME]),
        ('predict_price({"surface_m2": sys.maxsize})', [EXTREME]),
        ('predict_price({"title": "Studio\\u202e"})', [HOSTILE]),
        ("predict_price({\"title\": \"'; DROP TABLE listings;--\"})", [HOSTILE]),
        ("predict_price({\"surface_m2\": np.quantile(SURFACES, 0.999)})", [TAILS]),
        ("predict_price({\"surface_m2\": rng.standard_cauchy()})", [TAILS]),
        ('predict_price({"surface_m2": 48.0, "rooms": 2})', []),
        ('predict_price({"title": "Flat", "surface_m2": 48.0}, history=None)', []),
    ],
)
def test_literal_inputs_in_the_body(tmp_path: Path, source: str, expected: list[str]) -> None:
    found = categories_of(tmp_path, f'''
        import sys

        import numpy as np
        import pandas as pd

        from pricing.predict import predict_price

        MAX_TITLE = 200
        SURFACES = [30.0, 48.0]
        rng = np.random.default_rng(0)


        def test_input():
            assert {source} is not None
            result = {source}
            assert result
    ''')
    assert found == expected


@pytest.mark.parametrize(
    ("strategy", "expected"),
    [
        ("st.text()", [EMPTY, HOSTILE]),
        ("st.text(alphabet='abc', min_size=1)", []),
        ("st.text(min_size=1000)", [LONG, HOSTILE]),
        ("st.floats()", [NULL, EXTREME]),
        ("st.floats(allow_nan=False, allow_infinity=False)", []),
        ("st.floats(min_value=0, max_value=1)", []),
        ("st.integers()", [EXTREME]),
        ("st.integers(min_value=0, max_value=10)", []),
        ("st.one_of(st.none(), st.integers(0, 5), st.text(alphabet='ab', min_size=1))", [NULL, TYPES]),
        ("st.lists(st.integers(0, 9), max_size=5)", [EMPTY]),
        ("st.sampled_from(['', None])", [EMPTY, NULL]),
    ],
)
def test_hypothesis_strategies(tmp_path: Path, strategy: str, expected: list[str]) -> None:
    found = categories_of(tmp_path, f'''
        from hypothesis import given, strategies as st

        from pricing.predict import predict_price


        @given(value={strategy})
        def test_property(value):
            assert predict_price({{"title": "Flat", "surface_m2": value}}) >= 0
    ''')
    assert found == expected


def test_wrong_types_from_mixed_parametrize_values_and_type_errors(tmp_path: Path) -> None:
    found = categories_of(tmp_path, '''
        import pytest

        from pricing.predict import predict_price


        @pytest.mark.parametrize("surface", [48.0, "48", [48]])
        def test_surface_types(surface):
            with pytest.raises(TypeError):
                predict_price({"title": "Flat", "surface_m2": surface})
    ''')
    assert found == [TYPES]


def test_case_ids_name_the_tail_category_only_with_literal_inputs(tmp_path: Path) -> None:
    found = categories_of(tmp_path, '''
        import pytest

        from pricing.predict import predict_price


        @pytest.mark.parametrize("surface", [2.0, 3500.0], ids=["tiny-outlier", "mansion-outlier"])
        def test_outliers_get_a_price(surface):
            assert predict_price({"title": "Flat", "surface_m2": surface}) > 0
    ''')
    assert found == [TAILS]


def test_string_methods_settings_and_subscripts_are_not_inputs(tmp_path: Path) -> None:
    found = categories_of(tmp_path, '''
        import logging

        from pricing.predict import predict_price


        def test_settings_are_ignored(caplog, monkeypatch):
            monkeypatch.setenv("PRICING_MODEL", "")
            payload = {"title": ", ".join(["Flat", "Paris"]), "surface_m2": 48.0}
            logging.getLogger("x").info("")
            title = payload.get("title", "")
            with open("listing.csv", encoding="utf-8", newline="") as handle:
                handle.read()
            assert predict_price(payload) > 0 and title
    ''')
    assert found == []


def test_a_container_the_test_fills_is_not_an_empty_input(tmp_path: Path) -> None:
    source = '''
        from pricing.predict import predict_price

        def test_prices_rise_with_surface():
            prices = []
            for surface in (20.0, 40.0, 80.0):
                prices.append(predict_price({"title": "flat", "surface_m2": surface}))
            assert prices == sorted(prices)
    '''
    assert "empty" not in categories_of(tmp_path, source)
