"""The ``ml_graceful`` helper: each bad input gets a clear error (item 25)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from pytest_mlchecklist.helpers.edge_cases import edge_cases
from pytest_mlchecklist.helpers.graceful import (
    GracefulChecker,
    contains_nan,
    error_message,
    named_inputs,
    post_json,
)
from pytest_mlchecklist.recording import Recordings

TODAY = "--ml-checklist-today=2026-11-22"
RUNNER_MODES = [pytest.param([], id="no-xdist"), pytest.param(["-n", "2"], id="xdist-n2")]


class Response:
    def __init__(self, status_code: int, body: Any = None, text: str = "") -> None:
        self.status_code = status_code
        self._body = body
        self.text = text if text or body is None else json.dumps(body, allow_nan=True)

    def json(self) -> Any:
        if self._body is None:
            raise ValueError("no JSON")
        return self._body


class Client:
    """A fake test client: 422 for a missing amount, 500 for a string, 200 otherwise."""

    def __init__(self) -> None:
        self.sent: list[Any] = []

    def post(self, path: str, json: Any) -> Response:
        self.sent.append((path, json))
        if not isinstance(json, dict) or "amount" not in json:
            return Response(422, {"detail": [{"loc": ["body", "amount"], "msg": "Field required"}]})
        if isinstance(json["amount"], str):
            return Response(500, text="Internal Server Error")
        if json["amount"] == -1:
            return Response(400, text="")
        return Response(200, {"score": json["amount"] * 0.5})


class HttpxStyleClient:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def post(self, url: str, *, content: Any = None, data: Any = None, json: Any = None, headers: Any = None) -> Response:
        self.calls.append({"url": url, "content": content, "headers": headers, "json": json})
        return Response(422, {"detail": "bad"})


class DjangoStyleClient:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Any, str]] = []

    def post(self, path: str, data: Any = None, content_type: str = "multipart/form-data", **extra: Any) -> Response:
        self.calls.append((path, data, content_type))
        return Response(400, {"error": "invalid"})


def predict(payload: Any) -> Any:
    if not isinstance(payload, dict):
        raise TypeError("payload must be an object")
    if "amount" not in payload:
        raise ValueError("amount is required")
    if payload["amount"] == "empty":
        raise ValueError()
    if payload["amount"] == "boom":
        raise KeyError("amount")
    return payload["amount"] / 2


def checker(sink: list[dict] | None = None) -> GracefulChecker:
    return GracefulChecker(Recordings(sink).recorder("ml_graceful"))


# ---------------------------------------------------------------------- judging
def test_clear_errors_from_a_callable_pass_and_are_recorded() -> None:
    sink: list[dict] = []
    report = checker(sink)(predict, {"missing": {}, "list": [1, 2]})
    assert report.passed and report.detail() == "2 bad inputs, each answered with a clear error (ValueError x1, TypeError x1)"
    assert sink == [{"item": "graceful-failure", "source": "ml_graceful", "detail": report.detail(), "passed": True,
                     "values": {"bad_inputs": 2.0, "clear_errors": 2.0, "failures": 0.0, "crashes": 0.0,
                                "silent_answers": 0.0, "nan_answers": 0.0}}]


def test_crashes_silent_and_nan_answers_and_unclear_errors_each_fail() -> None:
    sink: list[dict] = []
    inputs = {"crash": {"amount": "boom"}, "silent": {"amount": 3.0}, "nan": {"amount": math.nan},
              "no message": {"amount": "empty"}, "fine": {}}
    with pytest.raises(pytest.fail.Exception) as failed:
        checker(sink)(predict, inputs)
    message = str(failed.value)
    assert message.startswith("ml_graceful: 4 of 5 bad inputs not handled (1 crash, 1 silent answer, 1 NaN answer, "
                              "1 unclear error): crash: raised KeyError: 'amount' (not ValueError or TypeError); ")
    assert "\n  silent: silent answer: answered 1.5 instead of an error" in message
    assert "\n  nan: NaN answer: answered nan instead of an error" in message
    assert "\n  no message: unclear error: raised ValueError without a message" in message
    assert sink[0]["passed"] is False
    assert sink[0]["values"] == {"bad_inputs": 5.0, "clear_errors": 1.0, "failures": 4.0, "crashes": 1.0,
                                 "silent_answers": 1.0, "nan_answers": 1.0}


def test_a_client_must_answer_4xx_with_a_message() -> None:
    client = Client()
    report = checker()(client, [{}, ["x"]], path="/predict")
    assert report.passed and report.detail() == "2 bad inputs, each answered with a clear error (422 x2)"
    assert client.sent == [("/predict", {}), ("/predict", ["x"])]
    with pytest.raises(pytest.fail.Exception) as failed:
        checker()(client, {"string": {"amount": "ten"}, "nan": {"amount": math.nan}, "empty 400": {"amount": -1},
                           "ok": {"amount": 2}, "missing": {}}, path="/predict")
    message = str(failed.value)
    assert "4 of 5 bad inputs not handled" in message
    assert "\n  string: crash: answered 500 (server error): Internal Server Error" in message
    assert "\n  nan: NaN answer: answered 200 with {'score': nan} instead of an error" in message
    assert "\n  empty 400: unclear error: answered 400 with an empty body" in message
    assert "\n  ok: silent answer: answered 200 with {'score': 1.0} instead of an error" in message
    with pytest.raises(pytest.fail.Exception, match="answered 422, not one of the expected statuses"):
        checker()(client, [{}], path="/predict", statuses=(400,))


def test_a_client_that_raises_the_server_exception_is_a_crash() -> None:
    class Raising:
        def post(self, path: str, json: Any) -> Response:
            raise ZeroDivisionError("division by zero")

    with pytest.raises(pytest.fail.Exception, match="input\\[0\\] \\{\\}: raised ZeroDivisionError: division by zero"):
        checker()(Raising(), [{}], path="/predict")


def test_payloads_are_posted_as_json_the_way_each_client_takes_a_body() -> None:
    httpx_style = HttpxStyleClient()
    post_json(httpx_style, "/p", {"amount": math.nan, "name": "\ud800"})
    [call] = httpx_style.calls
    assert call["content"] == '{"amount": NaN, "name": "\\ud800"}' and call["json"] is None
    assert call["headers"] == {"Content-Type": "application/json"}
    django_style = DjangoStyleClient()
    post_json(django_style, "/p", {"amount": 1})
    assert django_style.calls == [("/p", '{"amount": 1}', "application/json")]
    sent: list[Any] = []

    class Positional:
        def post(self, path: str, body: Any) -> Response:
            sent.append(body)
            return Response(422, text="invalid body")

    assert checker()(Positional(), [{"a": 1}], path="/p").passed and sent == [{"a": 1}]
    custom = checker()(Client(), [{"amount": 5}], path="/p", send=lambda client, path, payload: Response(418, "teapot"))
    assert custom.answers[0].what == "418 'teapot'"


def test_edge_cases_name_the_inputs() -> None:
    cases = edge_cases({"type": "object", "properties": {"amount": {"type": "number"}}}, categories=["all-null"])
    assert named_inputs(cases) == [("all-null.payload", {"amount": None}), ("all-null.amount", {"amount": None})]
    assert named_inputs([5]) == [("input[0] 5", 5)]


def test_nan_is_found_in_nested_answers_and_array_likes() -> None:
    class ArrayLike:
        def tolist(self) -> list[list[float]]:
            return [[0.1, math.nan]]

    assert contains_nan({"scores": [0.1, {"p": math.nan}]}) and contains_nan(ArrayLike())
    assert not contains_nan({"scores": [0.1, 1, "nan", None, True]}) and not contains_nan(math.inf)
    assert error_message({"detail": [{"msg": "Field required"}]}, "") == '[{"msg": "Field required"}]'
    assert error_message(None, "  plain text ") == "plain text" and error_message({}, "") == ""


def test_bad_arguments_are_explained() -> None:
    with pytest.raises(TypeError, match="expected a predict callable or a test client with a post method, got int"):
        checker()(42, [{}])
    with pytest.raises(ValueError, match="needs the route to post to, for example path='/predict'"):
        checker()(Client(), [{}])
    with pytest.raises(ValueError, match="path= is for a test client"):
        checker()(predict, [{}], path="/predict")
    with pytest.raises(ValueError, match="bad_inputs is empty"):
        checker()(predict, [])
    with pytest.raises(TypeError, match="bad_inputs must be a list of payloads"):
        checker()(predict, "oops")
    with pytest.raises(TypeError, match="expect must be an exception class"):
        checker()(predict, [{}], expect=(ValueError, "x"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="statuses must be 4xx codes"):
        checker()(Client(), [{}], path="/p", statuses=(200, 422))


# ---------------------------------------------------------------------- in a pytest run
GRACEFUL_TESTS = '''
def predict(payload):
    if not isinstance(payload, dict):
        raise TypeError("payload must be an object")
    amount = payload.get("amount")
    if not isinstance(amount, (int, float)) or isinstance(amount, bool):
        raise ValueError(f"amount must be a number, got {amount!r}")
    if amount < 0:
        raise ValueError("amount must be >= 0")
    return {"score": min(amount / 1000, 1.0)}


BAD = {"missing": {}, "text": {"amount": "ten"}, "negative": {"amount": -3}, "list": []}
BAD["zero"] = {"amount": 0}


def test_bad_input(ml_graceful):
    ml_graceful(predict, BAD)
'''


def run(pytester: pytest.Pytester, tests: str, *args: str) -> pytest.RunResult:
    pytester.path.joinpath("mlchecklist.yaml").write_text("profile: [graceful-failure]\n")
    pytester.makepyfile(test_scoring=tests)
    return pytester.runpytest_subprocess("--ml-checklist", TODAY, "--ml-checklist-json=report.json",
                                         "-rA", *args)


def item_entry(pytester: pytest.Pytester, slug: str) -> dict:
    data = json.loads((pytester.path / "report.json").read_text(encoding="utf-8"))
    return next(entry for entry in data["items"] if entry["id"] == slug)


@pytest.mark.parametrize("mode", RUNNER_MODES)
def test_handled_bad_inputs_meet_the_item(pytester: pytest.Pytester, mode: list[str]) -> None:
    run(pytester, GRACEFUL_TESTS.replace('BAD["zero"] = {"amount": 0}', ""), *mode).assert_outcomes(passed=2)
    entry = item_entry(pytester, "graceful-failure")
    assert entry["status"] == "met"
    [measured] = [piece for piece in entry["evidence"] if piece["kind"] == "measurement"]
    assert measured["detector"] == "ml_graceful" and measured["verdict"] == "supports"
    assert measured["nodeid"] == "test_scoring.py::test_bad_input"
    assert measured["detail"] == "4 bad inputs, each answered with a clear error (ValueError x3, TypeError x1)"
    assert measured["values"]["bad_inputs"] == 4 and measured["values"]["clear_errors"] == 4


@pytest.mark.parametrize("mode", RUNNER_MODES)
def test_a_silent_answer_fails_the_test_and_the_item(pytester: pytest.Pytester, mode: list[str]) -> None:
    result = run(pytester, GRACEFUL_TESTS, *mode)
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["*ml_graceful: 1 of 5 bad inputs not handled (1 silent answer): "
                                 "zero: answered {'score': 0.0} instead of an error*",
                                 "*FAILED mlchecklist.yaml::graceful-failure*"])
    entry = item_entry(pytester, "graceful-failure")
    assert entry["status"] == "unmet" and "1 of 5 bad inputs not handled" in entry["message"]
    [measured] = [piece for piece in entry["evidence"] if piece["kind"] == "measurement"]
    assert measured["verdict"] == "contradicts" and measured["values"]["silent_answers"] == 1


def test_without_the_checklist_the_fixture_still_checks(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_scoring=GRACEFUL_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*ml_graceful: 1 of 5 bad inputs not handled*"])


def test_the_documented_example_runs_as_written(pytester: pytest.Pytester) -> None:
    page = (Path(__file__).resolve().parents[1] / "docs" / "helpers" / "graceful.md").read_text(encoding="utf-8")
    config = page.split("```yaml\n", 1)[1].split("```", 1)[0]
    tests = page.split("```python\n", 1)[1].split("```", 1)[0]
    pytester.path.joinpath("mlchecklist.yaml").write_text(config)
    pytester.mkdir("tests")
    pytester.path.joinpath("tests", "test_graceful.py").write_text(tests)
    result = pytester.runpytest_subprocess("--ml-checklist", TODAY, "--ml-checklist-json=report.json", "-rA")
    result.assert_outcomes(passed=3)
    entry = item_entry(pytester, "graceful-failure")
    assert entry["status"] == "met"
    found = {piece["nodeid"]: piece for piece in entry["evidence"] if piece["kind"] == "measurement"}
    documented = page.split('"detail": "', 1)[1].split('"', 1)[0]
    assert found["tests/test_graceful.py::test_predict_rejects_bad_input"]["detail"] == documented
    assert found["tests/test_graceful.py::test_the_api_answers_422_to_bad_input"]["detail"].endswith("(422 x12)")
