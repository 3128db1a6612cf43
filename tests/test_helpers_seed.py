"""The ``ml_seed`` helper (item 17, fixed-seeds)."""

from __future__ import annotations

import importlib.util
import json
import random
import sys
import types
from pathlib import Path

import pytest

from pytest_mlchecklist.helpers.seed import SeedResult, check_seed, first_difference, seed_everything

TODAY = "--ml-checklist-today=2026-11-22"
RUNNER_MODES = [pytest.param([], id="no-xdist"), pytest.param(["-n", "2"], id="xdist-n2")]

SEEDED_TESTS = """
import random


def train(rows):
    weights = [random.gauss(0.0, 1.0) for _ in range(3)]
    order = list(rows)
    random.shuffle(order)
    return {"weights": weights, "order": order}


def test_training_repeats(ml_seed):
    ml_seed(7)
    model = ml_seed.same_output(train, [1, 2, 3, 4])
    assert len(model["weights"]) == 3
"""

UNSEEDED_TESTS = """
import random


def sample_rows(rows):
    rng = random.Random()  # seeded from the OS, not from ml_seed
    return rng.sample(rows, 3)


def test_sampling_repeats(ml_seed):
    ml_seed.same_output(sample_rows, list(range(10_000)), seed=99)
"""


def write_project(pytester: pytest.Pytester, tests: str) -> None:
    pytester.path.joinpath("mlchecklist.yaml").write_text("profile: [fixed-seeds]\n")
    pytester.makepyfile(test_seeds=tests)


def item_entry(report: Path, slug: str) -> dict:
    data = json.loads(report.read_text(encoding="utf-8"))
    return next(entry for entry in data["items"] if entry["id"] == slug)


# ---------------------------------------------------------------------- seeding
def test_seed_everything_makes_random_repeat() -> None:
    seed_everything(5)
    first = [random.random() for _ in range(5)]
    seed_everything(5)
    assert [random.random() for _ in range(5)] == first
    random.seed(5)
    assert [random.random() for _ in range(5)] == first  # the same as seeding random directly


def test_installed_libraries_are_seeded_and_missing_ones_named(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, int]] = []
    numpy = types.ModuleType("numpy")
    numpy.random = types.SimpleNamespace(seed=lambda seed: calls.append(("numpy", seed)))  # type: ignore[attr-defined]
    torch = types.ModuleType("torch")
    torch.manual_seed = lambda seed: calls.append(("torch", seed))  # type: ignore[attr-defined]
    jax = types.ModuleType("jax")
    jax.random = types.SimpleNamespace(PRNGKey=lambda seed: ("key", seed))  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "numpy", numpy)
    monkeypatch.setitem(sys.modules, "torch", torch)
    monkeypatch.setitem(sys.modules, "jax", jax)
    monkeypatch.setitem(sys.modules, "tensorflow", None)  # an import of it fails: not installed
    result = seed_everything(1234)
    assert calls == [("numpy", 1234), ("torch", 1234)]
    assert result.seeded == ("random", "numpy", "torch", "jax") and result.missing == ("tensorflow",)
    assert result.jax_key == ("key", 1234)
    assert result.detail() == "seed 1234 set for random, numpy, torch, jax; not installed: tensorflow"


def test_tensorflow_is_seeded_through_set_seed(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    tensorflow = types.ModuleType("tensorflow")
    tensorflow.random = types.SimpleNamespace(set_seed=seen.append)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tensorflow", tensorflow)
    for name in ("numpy", "torch", "jax"):
        monkeypatch.setitem(sys.modules, name, None)
    assert seed_everything(3).seeded == ("random", "tensorflow") and seen == [3]


@pytest.mark.parametrize(("seed", "error", "words"), [
    ("42", TypeError, "must be an integer, got str"),
    (True, TypeError, "must be an integer, got bool"),
    (4.0, TypeError, "must be an integer, got float"),
    (-1, ValueError, "between 0 and 2\\*\\*32 - 1"),
    (2**32, ValueError, "between 0 and 2\\*\\*32 - 1"),
])
def test_bad_seeds_are_explained(seed: object, error: type[Exception], words: str) -> None:
    with pytest.raises(error, match=words):
        check_seed(seed)


def test_the_largest_seed_is_accepted() -> None:
    assert check_seed(2**32 - 1) == 2**32 - 1
    assert SeedResult(seed=0, seeded=("random",), missing=()).detail() == "seed 0 set for random"


# ---------------------------------------------------------------------- comparing outputs
class FakeArray:
    """Quacks like a NumPy array or a tensor: ``shape`` and ``tolist``."""

    def __init__(self, values: list, shape: tuple[int, ...]) -> None:
        self._values, self.shape = values, shape

    def tolist(self) -> list:
        return self._values


class Opaque:
    pass


@pytest.mark.parametrize(("first", "second", "expected"), [
    ({"w": [0.1, 0.2], "n": 3}, {"w": [0.1, 0.2], "n": 3}, None),
    ([1, 2.0, "a", None, (True,)], [1.0, 2, "a", None, (True,)], None),
    ([float("nan")], [float("nan")], None),
    ({1, 2}, {2, 1}, None),
    ({"w": [0.1, 0.2]}, {"w": [0.1, 0.25]}, "output['w'][1]: 0.2 != 0.25"),
    ([1, 2, 3], [1, 2], "output: length 3 then 2"),
    ({"a": 1}, {"b": 1}, "output: keys differ (first run only: 'a'; second run only: 'b')"),
    ([1], ["1"], "output[0]: int then str"),
    ({"s"}, {"t"}, "output: {'s'} != {'t'}"),
    (FakeArray([[1, 2]], (1, 2)), FakeArray([[1, 2]], (1, 2)), None),
    (FakeArray([[1, 2]], (1, 2)), FakeArray([[1, 3]], (1, 2)), "output['values'][0][1]: 2 != 3"),
    (FakeArray([1, 2], (2,)), FakeArray([[1, 2]], (1, 2)), "output['shape']: length 1 then 2"),
])
def test_first_difference(first: object, second: object, expected: str | None) -> None:
    assert first_difference(first, second) == expected


def test_objects_that_compare_by_identity_are_refused() -> None:
    with pytest.raises(TypeError, match="cannot compare two Opaque objects by value"):
        first_difference(Opaque(), Opaque())


# ---------------------------------------------------------------------- in a pytest run
@pytest.mark.parametrize("mode", RUNNER_MODES)
def test_a_repeating_run_meets_the_item_with_the_seed(pytester: pytest.Pytester, mode: list[str]) -> None:
    write_project(pytester, SEEDED_TESTS)
    result = pytester.runpytest_subprocess("--ml-checklist", TODAY, "--ml-checklist-json=report.json",
                                           "-rA", *mode)
    result.stdout.fnmatch_lines(["*PASSED mlchecklist.yaml::fixed-seeds*"])
    entry = item_entry(pytester.path / "report.json", "fixed-seeds")
    assert entry["status"] == "met"
    measured = [piece for piece in entry["evidence"] if piece["kind"] == "measurement"]
    installed = [name for name in ("numpy", "torch", "tensorflow", "jax") if importlib.util.find_spec(name)]
    absent = [name for name in ("numpy", "torch", "tensorflow", "jax") if name not in installed]
    seeded = ", ".join(["random", *installed]) + (f"; not installed: {', '.join(absent)}" if absent else "")
    assert [piece["detail"] for piece in measured] == [
        f"seed 7 set for {seeded}",
        "seed 7: two runs of `train` gave identical output",
    ]
    assert all(piece["detector"] == "ml_seed" and piece["verdict"] == "supports" for piece in measured)
    assert {piece["nodeid"] for piece in measured} == {"test_seeds.py::test_training_repeats"}
    assert all(piece["values"] == {"seed": 7.0} for piece in measured)


@pytest.mark.parametrize("mode", RUNNER_MODES)
def test_an_unseeded_generator_fails_the_test_and_the_item(pytester: pytest.Pytester, mode: list[str]) -> None:
    write_project(pytester, UNSEEDED_TESTS)
    result = pytester.runpytest_subprocess("--ml-checklist", TODAY, "--ml-checklist-json=report.json",
                                           "-rA", *mode)
    result.assert_outcomes(failed=2)  # the test and fixed-seeds
    result.stdout.fnmatch_lines(["*ml_seed: seed 99: two runs of `sample_rows` differ at output[[]*]: * != *; "
                                 "something in `sample_rows` is not seeded*",
                                 "*FAILED mlchecklist.yaml::fixed-seeds*"])
    entry = item_entry(pytester.path / "report.json", "fixed-seeds")
    assert entry["status"] == "unmet"
    [measured] = [piece for piece in entry["evidence"] if piece["kind"] == "measurement"]
    assert measured["verdict"] == "contradicts" and measured["values"] == {"seed": 99.0}
    assert "two runs of `sample_rows` differ at output[" in entry["message"]
    assert "test_seeds.py::test_sampling_repeats" in entry["message"]


def test_without_the_checklist_the_fixture_still_checks(pytester: pytest.Pytester) -> None:
    write_project(pytester, SEEDED_TESTS + UNSEEDED_TESTS.replace("import random\n", ""))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*ml_seed: seed 99: two runs of `sample_rows` differ*"])
    result.stdout.no_fnmatch_line("*ml-checklist*")


def test_bad_arguments_are_explained(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        class Model:
            pass

        def test_bad(ml_seed):
            with pytest.raises(TypeError, match="expected a callable"):
                ml_seed.same_output(42)
            with pytest.raises(ValueError, match="between 0 and 2"):
                ml_seed(-3)
            with pytest.raises(TypeError, match="cannot compare two Model objects by value"):
                ml_seed.same_output(Model)
            assert ml_seed.same_output(lambda: [1, 2]) == [1, 2]
        """
    )
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_the_documented_example_runs_as_written(pytester: pytest.Pytester) -> None:
    page = (Path(__file__).resolve().parents[1] / "docs" / "helpers" / "seed.md").read_text(encoding="utf-8")
    config = page.split("```yaml\n", 1)[1].split("```", 1)[0]
    tests = page.split("```python\n", 1)[1].split("```", 1)[0]
    pytester.path.joinpath("mlchecklist.yaml").write_text(config)
    pytester.mkdir("tests")
    pytester.path.joinpath("tests", "test_reproducible.py").write_text(tests)
    result = pytester.runpytest_subprocess("--ml-checklist", TODAY, "--ml-checklist-json=report.json", "-rA")
    result.assert_outcomes(passed=3)
    entry = item_entry(pytester.path / "report.json", "fixed-seeds")
    assert entry["status"] == "met"
    details = {piece["detail"] for piece in entry["evidence"] if piece["kind"] == "measurement"}
    assert "seed 1234: two runs of `train` gave identical output" in details
    assert "seed 42: two runs of `test_sampling_repeats_with_the_default_seed.<locals>.<lambda>` gave identical output" in details
