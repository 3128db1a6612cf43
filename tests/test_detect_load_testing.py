"""Item 23 (load-testing): a load test with a target load, and results of a run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_detector, verdicts

from pytest_mlchecklist.detectors.ci_gates import balanced_braces, k6_load, load_test, strip_c_comments
from pytest_mlchecklist.evidence import Evidence

ITEM = "load-testing"


def write(root: Path, files: dict[str, str]) -> None:
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)


def run(root: Path) -> list[Evidence]:
    return run_detector(load_test, root)


K6_SCRIPT = """\
import http from 'k6/http';
import { check } from 'k6';

// Peak traffic of the scoring API: 200 requests/s (Black Friday 2025 was 160/s).
export const options = {
  scenarios: {
    peak: {
      executor: 'constant-arrival-rate',
      rate: 200,
      timeUnit: '1s',
      duration: '10m',
      preAllocatedVUs: 50,
      maxVUs: 300,
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    http_req_duration: ['p(95)<80', 'p(99)<150'],
  },
};

export default function () {
  const res = http.post(`${__ENV.BASE_URL}/v1/score`, JSON.stringify({ amount: 42.5 }), {
    headers: { 'Content-Type': 'application/json' },
  });
  check(res, { 'status is 200': (r) => r.status === 200 });
}
"""


def k6_summary(*, rate: float = 199.4, p95: float = 41.2, failed: float = 0.0012, crossed: bool = False) -> str:
    return json.dumps({
        "root_group": {"name": "", "path": "", "checks": {}},
        "metrics": {
            "http_reqs": {"count": 119640, "rate": rate},
            "http_req_duration": {"avg": 23.1, "med": 19.8, "p(90)": 35.0, "p(95)": p95, "max": 310.2,
                                  "thresholds": {"p(95)<80": crossed, "p(99)<150": False}},
            "http_req_failed": {"passes": 144, "fails": 119496, "value": failed,
                                "thresholds": {"rate<0.01": False}},
            "vus_max": {"value": 300, "min": 300, "max": 300},
        },
    })


# ---------------------------------------------------------------------- k6
def test_k6_script_with_arrival_rate_and_recent_summary_supports(tmp_path: Path) -> None:
    write(tmp_path, {
        "loadtest/score.js": K6_SCRIPT,
        "loadtest/results/2026-10-02/summary.json": k6_summary(),
    })
    evidence = run(tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    (found,) = evidence
    assert found.path == "loadtest/score.js" and found.line == 5
    assert "k6 script loadtest/score.js targets 200 iterations/s (arrival rate) with pass/fail thresholds" in found.detail
    assert "199 requests/s, p95 41.2 ms, 0.12% errors" in found.detail
    assert "from 2026-10-02, 51 days ago" in found.detail
    assert found.values["target_rps"] == 200 and found.values["results_age_days"] == 51


def test_k6_results_without_a_date_still_say_so(tmp_path: Path) -> None:
    write(tmp_path, {"loadtest/score.js": K6_SCRIPT, "loadtest/summary.json": k6_summary()})
    (found,) = run(tmp_path)
    assert found.verdict == "supports" and "(not dated)" in found.detail


@pytest.mark.parametrize(
    ("results", "words"),
    [
        ({}, ["no results of a run are recorded"]),
        ({"loadtest/results/2025-06-30-summary.json": k6_summary()}, ["from 2025-06-30", "over 365 days old"]),
        ({"loadtest/results/2026-11-01-summary.json": k6_summary(p95=95.0, crossed=True)},
         ["failed its thresholds", "http_req_duration p(95)<80"]),
    ],
    ids=["no-results", "stale", "failed-thresholds"],
)
def test_k6_script_partial_cases(tmp_path: Path, results: dict[str, str], words: list[str]) -> None:
    write(tmp_path, {"loadtest/score.js": K6_SCRIPT, **results})
    evidence = run(tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert all(word in evidence[0].detail for word in words)


def test_k6_script_without_load_parameters_uses_the_command_line(tmp_path: Path) -> None:
    script = "import http from 'k6/http';\n\nexport default function () {\n  http.get('http://localhost:8080/health');\n}\n"
    write(tmp_path, {"loadtest/smoke.js": script, "loadtest/summary-2026-11-20.json": k6_summary()})
    evidence = run(tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "has no load parameters" in evidence[0].detail and "load they were run at is unknown" in evidence[0].detail
    write(tmp_path, {".github/workflows/load.yml": """\
on: {schedule: [{cron: "0 2 * * 1"}]}
jobs:
  load:
    runs-on: ubuntu-latest
    steps:
      - run: k6 run --vus 120 --duration 10m --summary-export loadtest/summary-2026-11-20.json loadtest/smoke.js
"""})
    evidence = run(tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "targets 120 virtual users (command line)" in evidence[0].detail


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ("{ vus: 50, duration: '5m' }", "50 virtual users"),
        ("{ stages: [{ duration: '2m', target: 100 }, { duration: '5m', target: 400 }, { duration: '1m', target: 0 }] }",
         "400 virtual users"),
        ("{ scenarios: { ramp: { executor: 'ramping-arrival-rate', startRate: 10, timeUnit: '1m', "
         "stages: [{ target: 600, duration: '5m' }] } } }", "10 iterations/s (arrival rate)"),
        ("{ vus: __ENV.VUS || 25 }", "25 virtual users"),
        ("{ thresholds: { http_req_duration: ['p(95)<200'] } }", None),
    ],
)
def test_k6_load_patterns(options: str, expected: str | None) -> None:
    assert k6_load(options)[0] == expected


def test_js_helpers_keep_strings_and_line_numbers() -> None:
    code = "const a = 'http://x/y'; // note\n/* block\n comment */ const b = {c: '}', d: {e: 1}};\n"
    stripped = strip_c_comments(code)
    assert "http://x/y" in stripped and "note" not in stripped and "block" not in stripped
    assert stripped.count("\n") == code.count("\n")
    assert balanced_braces(stripped, stripped.index("{")) == "{c: '}', d: {e: 1}}"
    assert balanced_braces("{ open", 0) is None


# ---------------------------------------------------------------------- Locust
LOCUSTFILE = """\
from locust import HttpUser, between, task


class ScoringUser(HttpUser):
    wait_time = between(0.5, 2)

    @task(10)
    def score(self):
        self.client.post("/v1/score", json={"amount": 42.5, "currency": "EUR"})

    @task
    def health(self):
        self.client.get("/health")
"""

LOCUST_STATS = """\
Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%
POST,/v1/score,98000,49,18,21.4,6,410,96,163.3,0.08,18,22,25,27,33,39,48,57,120,300,410
GET,/health,9800,0,2,2.1,1,30,15,16.3,0,2,2,2,3,3,4,5,6,20,30,30
,Aggregated,107800,49,17,19.6,1,410,89,179.6,0.08,17,21,24,26,32,38,47,56,118,290,410
"""


def test_locust_users_from_locust_conf_with_csv_results_supports(tmp_path: Path) -> None:
    write(tmp_path, {
        "loadtest/locustfile.py": LOCUSTFILE,
        "loadtest/locust.conf": "# peak: 300 concurrent clients\nlocustfile = locustfile.py\nheadless = true\n"
                                "users = 300\nspawn-rate = 30\nrun-time = 15m\n",
        "loadtest/results/peak_stats.csv": LOCUST_STATS,
        "loadtest/results/peak_stats_history.csv": "Timestamp,User Count,Type,Name,Requests/s\n"
                                                   "1790000000,300,,Aggregated,179.1\n1790000900,300,,Aggregated,180.2\n",
    })
    evidence = run(tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    (found,) = evidence
    assert found.path == "loadtest/locustfile.py" and found.line == 4
    assert "Locust user `ScoringUser`" in found.detail
    assert "300 users, spawn rate 30/s, loadtest/locust.conf" in found.detail
    assert "180 requests/s, p95 38 ms, 0.045% errors" in found.detail
    assert "2026-09-21" in found.detail  # the last row of the stats history


def test_locust_load_shape_and_command_line(tmp_path: Path) -> None:
    shape = LOCUSTFILE.replace("from locust import HttpUser, between, task",
                               "from locust import HttpUser, LoadTestShape, between, task") + """

class PeakShape(LoadTestShape):
    stages = [{"duration": 60, "users": 100, "spawn_rate": 10}, {"duration": 600, "users": 450, "spawn_rate": 20}]

    def tick(self):
        for stage in self.stages:
            if self.get_run_time() < stage["duration"]:
                return stage["users"], stage["spawn_rate"]
        return None
"""
    write(tmp_path, {"locustfile.py": shape})
    (found,) = run(tmp_path)
    assert found.verdict == "partial" and "450 users (LoadTestShape)" in found.detail
    write(tmp_path, {"locustfile.py": LOCUSTFILE, "scripts/load.sh": "#!/bin/sh\nset -e\n"
                     "locust -f locustfile.py --headless -u 250 -r 25 -t 10m --csv results/run\n"})
    (found,) = run(tmp_path)
    assert found.verdict == "partial" and "250 users, spawn rate 25/s, command line" in found.detail


def test_locust_user_without_any_user_count_is_partial(tmp_path: Path) -> None:
    write(tmp_path, {"loadtest/locustfile.py": LOCUSTFILE, "loadtest/results/run_stats.csv": LOCUST_STATS})
    evidence = run(tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "no load parameters" in evidence[0].detail and "results exist" in evidence[0].detail


# ---------------------------------------------------------------------- Vegeta, wrk, JMeter, Gatling, Artillery
def test_vegeta_rate_in_ci_with_json_report_supports(tmp_path: Path) -> None:
    write(tmp_path, {
        ".gitlab-ci.yml": """\
load-test:
  stage: verify
  rules:
    - if: $CI_PIPELINE_SOURCE == "schedule"
  script:
    - cat loadtest/targets.txt | vegeta attack -rate=500/s -duration=5m > results.bin
    - vegeta report -type=json results.bin > loadtest/vegeta-report.json
""",
        "loadtest/vegeta-report.json": json.dumps({
            "latencies": {"total": 1, "mean": 21000000, "50th": 18000000, "95th": 44000000, "99th": 71000000},
            "earliest": "2026-11-14T02:00:00.123Z", "latest": "2026-11-14T02:05:00.120Z",
            "requests": 150000, "rate": 500.0, "throughput": 499.2, "success": 0.9991,
            "status_codes": {"200": 149865, "503": 135}, "errors": []}),
    })
    evidence = run(tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    (found,) = evidence
    assert found.path == ".gitlab-ci.yml" and found.line == 6
    assert "targets 500 requests/s" in found.detail
    assert "499 requests/s, p95 44.0 ms, 0.09% errors (from 2026-11-14, 8 days ago)" in found.detail


def test_wrk_command_in_a_makefile_without_results_is_partial(tmp_path: Path) -> None:
    write(tmp_path, {"Makefile": "load:\n\twrk2 -t4 -c200 -d60s -R2000 --latency http://localhost:8080/v1/score\n"})
    evidence = run(tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "targets 2,000 requests/s" in evidence[0].detail and "no results" in evidence[0].detail


JMETER_PLAN = """\
<?xml version="1.0" encoding="UTF-8"?>
<jmeterTestPlan version="1.2" properties="5.0" jmeter="5.6.3">
  <hashTree>
    <TestPlan guiclass="TestPlanGui" testclass="TestPlan" testname="Scoring API peak"/>
    <hashTree>
      <ThreadGroup guiclass="ThreadGroupGui" testclass="ThreadGroup" testname="Peak users" enabled="true">
        <stringProp name="ThreadGroup.num_threads">${__P(threads,400)}</stringProp>
        <stringProp name="ThreadGroup.ramp_time">120</stringProp>
      </ThreadGroup>
      <hashTree>
        <HTTPSamplerProxy guiclass="HttpTestSampleGui" testclass="HTTPSamplerProxy" testname="POST /v1/score">
          <stringProp name="HTTPSampler.path">/v1/score</stringProp>
        </HTTPSamplerProxy>
      </hashTree>
      <ThreadGroup testclass="ThreadGroup" testname="Disabled" enabled="false">
        <stringProp name="ThreadGroup.num_threads">5000</stringProp>
      </ThreadGroup>
    </hashTree>
  </hashTree>
</jmeterTestPlan>
"""

LOAD_REPORT = """\
# Load test report: scoring API

Peak traffic target agreed with payments: 450 requests/s.

## Load test 2026-09-30 (staging, 3 replicas)

| Date | Peak RPS | p95 (ms) | Error rate |
|---|---|---|---|
| 2026-09-30 | 462 | 58 | 0.04% |

- The p99 stayed under 90 ms; no pod restarted.
"""


def test_jmeter_plan_with_markdown_report_supports(tmp_path: Path) -> None:
    write(tmp_path, {"perf/scoring.jmx": JMETER_PLAN, "docs/load-test-report.md": LOAD_REPORT})
    evidence = run(tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    (found,) = evidence
    assert "JMeter plan perf/scoring.jmx targets 400 threads" in found.detail
    assert "docs/load-test-report.md: 462 requests/s, latency 58 ms, 0.04% errors (from 2026-09-30, 53 days ago)" in found.detail


def test_gatling_and_artillery_definitions(tmp_path: Path) -> None:
    write(tmp_path, {
        "perf/src/test/scala/ScoringSimulation.scala": """\
import io.gatling.core.Predef._
import io.gatling.http.Predef._

class ScoringSimulation extends Simulation {
  val httpProtocol = http.baseUrl("http://scorer:8080")
  val scn = scenario("score").exec(http("score").post("/v1/score").body(StringBody("{}")))
  // setUp(scn.inject(atOnceUsers(1)))  -- the smoke variant
  setUp(scn.inject(rampUsersPerSec(10).to(300).during(5.minutes), constantUsersPerSec(300).during(10.minutes)))
    .protocols(httpProtocol)
}
""",
        "perf/artillery.yml": "config:\n  target: http://scorer:8080\n  phases:\n    - duration: 300\n"
                              "      arrivalRate: 20\n      rampTo: 150\nscenarios:\n  - flow:\n      - post: {url: /v1/score}\n",
    })
    evidence = run(tmp_path)
    assert verdicts(evidence, ITEM) == ["partial", "partial"]
    details = " ".join(found.detail for found in evidence)
    assert "Gatling simulation" in details and "targets 300 users/s" in details
    assert "Artillery test perf/artillery.yml targets 150 arrivals/s" in details


# ---------------------------------------------------------------------- results without a test, look-alikes
def test_results_without_a_definition_are_partial(tmp_path: Path) -> None:
    write(tmp_path, {"docs/load-test-report.md": LOAD_REPORT, "perf/old_stats.csv": LOCUST_STATS})
    evidence = run(tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert evidence[0].path == "docs/load-test-report.md" and evidence[0].line == 5
    assert "no load test definition with a target load" in evidence[0].detail
    assert "(and 1 more results files)" in evidence[0].detail


def test_nothing_there(tmp_path: Path) -> None:
    write(tmp_path, {"README.md": "# Scorer\n", "src/app.py": "print('hello')\n"})
    assert run(tmp_path) == []


def test_look_alikes_are_not_load_tests(tmp_path: Path) -> None:
    write(tmp_path, {
        # a plan, no test, no numbers; and a command inside a code block
        "docs/performance.md": "# Performance\n\n## Load testing\n\nTODO: load test with k6 before launch "
                               "(target 450 rps).\n\n```sh\nk6 run --vus 100 loadtest/score.js\n```\n",
        # k6 named in a comment of an unrelated script
        "web/app.js": "// we might try k6 later\nexport default function main() { return 1; }\n",
        # a class called HttpUser that is not Locust's
        "src/client.py": "class HttpUser:\n    def task(self):\n        pass\n\n\nclass Admin(HttpUser):\n"
                         "    def run(self):\n        return 'locust'\n",
        # a CSV that is not Locust statistics
        "data/user_stats.csv": "user,age\n1,34\n",
    })
    assert run(tmp_path) == []


def test_malformed_files_are_unreadable(tmp_path: Path) -> None:
    write(tmp_path, {
        "perf/plan.jmx": "<jmeterTestPlan><hashTree><ThreadGroup>",
        "loadtest/summary.json": '{"metrics": {"http_reqs": {"count": 1,',
        "loadtest/locustfile.py": "from locust import HttpUser, task\n\nclass U(HttpUser:\n    pass\n",
    })
    evidence = run(tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable", "unreadable", "unreadable"]
    assert {found.path for found in evidence} == {"perf/plan.jmx", "loadtest/summary.json", "loadtest/locustfile.py"}


def test_locustfile_named_from_the_repository_root_in_a_nested_conf(tmp_path: Path) -> None:
    """Locust reads ``locustfile =`` from the working directory (usually the repository root)."""
    (tmp_path / "loadtest" / "results").mkdir(parents=True)
    (tmp_path / "loadtest" / "locustfile.py").write_text(
        "from locust import HttpUser, constant, task\n\n\n"
        "class Gateway(HttpUser):\n    wait_time = constant(1)\n\n"
        "    @task\n    def score(self):\n        self.client.post('/v1/score', json={'amount': 12.5})\n"
    )
    (tmp_path / "loadtest" / "locust.conf").write_text(
        "locustfile = loadtest/locustfile.py\nheadless = true\nusers = 100\nspawn-rate = 10\nrun-time = 10m\n"
    )
    evidence = run_detector(load_test, tmp_path)
    assert verdicts(evidence, "load-testing") == ["partial"]
    assert "100 users" in evidence[0].detail and "no results" in evidence[0].detail
