"""Item 5 (null-handling): per-feature missing-value rules in specs, tables and (partially) code."""

from __future__ import annotations

from pathlib import Path

from conftest import run_detector, verdicts, write_file as write

from pytest_mlchecklist.detectors.data_handling import (
    DETECTORS,
    is_rule_key,
    null_handling_code,
    null_rules_spec,
    null_rules_table,
)

ITEM = "null-handling"


def run_all(root: Path) -> list[tuple[str, str]]:
    return [
        (found.verdict, found.detail)
        for detector in DETECTORS
        for found in run_detector(detector, root)
        if found.item == ITEM
    ]


FEATURE_SPEC = """\
# Features of the fraud scorer, shared by training and serving.
version: 3
features:
  - name: txn_amount
    dtype: float
    missing: reject          # the request is refused
  - name: customer_age_days
    dtype: int
    missing: {strategy: median, add_indicator: true}
  - name: merchant_category
    dtype: category
    missing: {strategy: constant, fill_value: "__unknown__"}
  - name: txn_count_7d
    dtype: int
    fill_value: 0
"""


# ---------------------------------------------------------------------- feature specs
def test_feature_spec_with_a_rule_for_every_feature(tmp_path: Path) -> None:
    write(tmp_path, "features/spec.yaml", FEATURE_SPEC)
    evidence = run_detector(null_rules_spec, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].detail == "feature spec features/spec.yaml gives a missing-value rule for all 4 features"
    assert evidence[0].line == 3


def test_feature_spec_with_gaps_names_them(tmp_path: Path) -> None:
    write(tmp_path, "features/spec.yaml", FEATURE_SPEC + """\
  - name: device_risk
    dtype: float
    missing: TODO
  - name: ip_country
    dtype: category
    nullable: true
""")
    evidence = run_detector(null_rules_spec, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "4 of 6 features" in evidence[0].detail
    assert "`device_risk`, `ip_country` have none" in evidence[0].detail


def test_spec_default_rule_covers_the_rest(tmp_path: Path) -> None:
    write(tmp_path, "conf/features.json", """{
  "defaults": {"on_missing": "median"},
  "columns": {
    "amount": {"type": "float", "on_missing": "reject"},
    "age": {"type": "int"},
    "tenure": {"type": "int"}
  }
}""")
    evidence = run_detector(null_rules_spec, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "all 3 features (2 through the spec's default rule)" in evidence[0].detail


def test_default_rule_alone_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "conf/features.yaml", "fill_missing_with: 0\nfeatures:\n  - name: a\n  - name: b\n")
    evidence = run_detector(null_rules_spec, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "one missing-value rule for all 2 features" in evidence[0].detail


def test_imputation_config(tmp_path: Path) -> None:
    write(tmp_path, "configs/preprocessing.yaml", """\
imputation:
  customer_age_days: median
  income: {strategy: constant, fill_value: 0}
  region: most_frequent
scaler: standard
""")
    evidence = run_detector(null_rules_spec, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "imputation config configs/preprocessing.yaml gives a missing-value rule for 3 features" == evidence[0].detail
    assert evidence[0].line == 1


def test_imputer_groups(tmp_path: Path) -> None:
    write(tmp_path, "configs/impute.yaml", """\
imputers:
  - columns: [age, income]
    strategy: median
  - columns: [country]
    strategy: constant
    fill_value: unknown
""")
    evidence = run_detector(null_rules_spec, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "3 features" in evidence[0].detail


def test_spec_look_alikes(tmp_path: Path) -> None:
    # Nullability alone, null-rate monitoring thresholds and a single blanket imputer are not per-feature rules.
    write(tmp_path, "schemas/request.json", """{
  "type": "object",
  "properties": {"amount": {"type": "number", "nullable": false}, "age": {"type": ["integer", "null"]}}
}""")
    write(tmp_path, "monitoring/quality.yaml", """\
columns:
  - name: amount
    max_null_rate: 0.01
  - name: age
    null_fraction_alert: 0.2
""")
    write(tmp_path, "configs/model.yaml", "imputer:\n  strategy: median\nmodel: {max_depth: 6}\n")
    found = run_detector(null_rules_spec, tmp_path)
    assert "supports" not in verdicts(found, ITEM)


def test_malformed_spec_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, "features/feature_spec.yaml", "features:\n  - name: a\n    missing: [median\n")
    evidence = run_detector(null_rules_spec, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]
    assert evidence[0].path == "features/feature_spec.yaml"


def test_rule_keys() -> None:
    assert is_rule_key("fill_value") and is_rule_key("on-missing") and is_rule_key("imputation")
    assert not is_rule_key("nullable") and not is_rule_key("max_null_rate") and not is_rule_key("dtype")
    assert is_rule_key("missing_strategy") and not is_rule_key("null_count")


# ---------------------------------------------------------------------- Markdown tables
FEATURE_TABLE = """\
# Feature catalogue

| Feature | Type | When missing |
|---|---|---|
| `txn_amount` | float | reject the request |
| `customer_age_days` | int | median of training set, plus `age_missing` indicator |
| `merchant_category` | category | `__unknown__` |

```
| Feature | When missing |
|---|---|
| example | TODO |
```
"""


def test_documented_table_supports(tmp_path: Path) -> None:
    write(tmp_path, "docs/features.md", FEATURE_TABLE)
    evidence = run_detector(null_rules_table, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].detail == "feature table in docs/features.md gives a missing-value rule (`When missing`) for all 3 features"
    assert evidence[0].line == 3


def test_table_with_placeholders_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "docs/features.md", """\
| Column | Null handling |
|---|---|
| amount | drop the row |
| age | TBD |
| country | |
""")
    evidence = run_detector(null_rules_table, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "1 of 3 columns" in evidence[0].detail and "`age`, `country` have none" in evidence[0].detail


def test_table_look_alikes(tmp_path: Path) -> None:
    # A null-rate report and a nullability column are not rules.
    write(tmp_path, "docs/quality.md", """\
| Feature | Null rate | Nullable |
|---|---|---|
| amount | 0.1% | no |
| age | 3% | yes |
""")
    assert run_detector(null_rules_table, tmp_path) == []


# ---------------------------------------------------------------------- code
def test_fillna_in_code_is_partial_only(tmp_path: Path) -> None:
    write(tmp_path, "src/churn/features.py", '''\
import pandas as pd
from sklearn.impute import SimpleImputer


def clean(df: pd.DataFrame) -> pd.DataFrame:
    df = df.fillna({"age": df["age"].median(), "plan": "basic"})
    return df


imputer = SimpleImputer(strategy="median")
''')
    evidence = run_detector(null_handling_code, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "code handles nulls in 2 places" in evidence[0].detail
    assert "no per-feature missing-value rule is written down" in evidence[0].detail
    assert evidence[0].line == 6
    # Once a written rule exists, the code is not reported at all.
    write(tmp_path, "docs/features.md", FEATURE_TABLE)
    assert run_detector(null_handling_code, tmp_path) == []


def test_nothing_there(tmp_path: Path) -> None:
    write(tmp_path, "src/model.py", "def predict(x):\n    return x\n")
    write(tmp_path, "config.yaml", "model:\n  depth: 4\n")
    assert run_all(tmp_path) == []


def test_commented_and_test_code_is_not_evidence(tmp_path: Path) -> None:
    write(tmp_path, "src/churn/features.py", "import pandas as pd\n\n# df = df.fillna(0)\n")
    write(tmp_path, "tests/test_features.py", "def test_x(df):\n    assert df.fillna(0).notna().all().all()\n")
    assert run_all(tmp_path) == []


def test_strategy_column_under_a_null_handling_heading(tmp_path: Path) -> None:
    write(tmp_path, "docs/features.md", """\
# Features

| feature | definition | strategy |
|---|---|---|
| `log_amount` | log1p(amount) | log scale |

## Null handling

Every input field has one strategy, the same in training and serving.

| field | nullable | null rate | strategy | why |
|---|---|---|---|---|
| `merchant_category` | yes | 5 % | `high_risk_mcc = 0`, `mcc_missing = 1` | a missing code is not risk |
| `account_age_days` | yes | 15 % | impute 365 days, `account_age_missing = 1` | migrated accounts |
| `transaction_id`, `amount`, `event_time` | no | 0 % | reject the row / request (422) | broken upstream |
""")
    evidence = run_detector(null_rules_table, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].detail == "feature table in docs/features.md gives a missing-value rule (`strategy`) for all 5 fields"
    assert evidence[0].line == 11
