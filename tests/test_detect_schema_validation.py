"""Detectors of item 1 (schema-validation): JSON Schema, pydantic, pandera, Great Expectations."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_detector, verdicts, write_dedented as write

from pytest_mlchecklist.detectors.data_pipeline import (
    avro_schemas,
    great_expectations_suites,
    json_schemas,
    pandera_schemas,
    pydantic_models,
)
from pytest_mlchecklist.evidence import Evidence

ITEM = "schema-validation"


def details(evidence: list[Evidence]) -> str:
    return "\n".join(found.detail for found in evidence)


# --------------------------------------------------------------------------- JSON Schema

TRANSACTION_SCHEMA = json.dumps(
    {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://schemas.example.com/fraud/transaction/v2.json",
        "title": "Card transaction",
        "type": "object",
        "additionalProperties": False,
        "required": ["transaction_id", "amount", "currency", "event_time"],
        "properties": {
            "transaction_id": {"type": "string", "minLength": 1},
            "amount": {"type": "number", "exclusiveMinimum": 0},
            "currency": {"enum": ["EUR", "GBP", "USD"]},
            "event_time": {"type": "string", "format": "date-time"},
            "channel": {"type": ["string", "null"]},
            "note": {"description": "free text, not validated"},
        },
    },
    indent=2,
)

JSONSCHEMA_LOADER = '''
    """Validate incoming batches against the transaction contract."""
    import json
    from pathlib import Path

    from jsonschema import Draft202012Validator

    SCHEMA_PATH = Path(__file__).parent.parent / "schemas" / "transaction.schema.json"


    def validator() -> Draft202012Validator:
        schema = json.loads(SCHEMA_PATH.read_text())
        return Draft202012Validator(schema)


    def rejects(rows):
        check = validator()
        return [row for row in rows if not check.is_valid(row)]
'''


def test_json_schema_loaded_and_validated_with_jsonschema_supports(tmp_path: Path) -> None:
    write(tmp_path, {"schemas/transaction.schema.json": TRANSACTION_SCHEMA, "src/fraud/ingest.py": JSONSCHEMA_LOADER})
    evidence = run_detector(json_schemas, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    found = evidence[0]
    assert found.path == "schemas/transaction.schema.json"
    assert "5 typed properties" in found.detail and "4 required" in found.detail
    assert "referenced in `src/fraud/ingest.py:7`" in found.detail and "jsonschema" in found.detail


def test_json_schema_named_in_config_and_fastjsonschema_supports(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "contracts/events.yaml": """
                $schema: https://json-schema.org/draft-07/schema#
                type: object
                required: [user_id, ts]
                properties:
                  user_id: {type: string}
                  ts: {type: integer}
            """,
            "configs/pipeline.yaml": """
                input:
                  path: s3://raw/events/
                  contract: contracts/events.yaml
            """,
            "pipeline/check.py": """
                import fastjsonschema
                import yaml


                def compile_contract(path):
                    with open(path) as handle:
                        return fastjsonschema.compile(yaml.safe_load(handle))
            """,
        },
    )
    evidence = run_detector(json_schemas, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "configs/pipeline.yaml" in evidence[0].detail and "fastjsonschema" in evidence[0].detail


def test_json_schema_with_hand_written_validator_in_loading_module_supports(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "schemas/transaction.schema.json": TRANSACTION_SCHEMA,
            "src/fraud/pipeline.py": """
                import json
                from pathlib import Path

                from fraud.validation import validate

                SCHEMA = json.loads((Path("schemas") / "transaction.schema.json").read_text())


                def split_valid(records):
                    return [record for record in records if not validate(record, SCHEMA)]
            """,
        },
    )
    evidence = run_detector(json_schemas, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "`fraud.validation.validate`" in evidence[0].detail and "src/fraud/pipeline.py:10" in evidence[0].detail


def test_no_json_schema_gives_nothing(tmp_path: Path) -> None:
    write(tmp_path, {"src/app.py": "print('hello')\n", "package.json": '{"name": "web", "version": "1.0.0"}'})
    assert run_detector(json_schemas, tmp_path) == []


def test_json_schema_nobody_references_is_partial(tmp_path: Path) -> None:
    write(tmp_path, {"schemas/transaction.schema.json": TRANSACTION_SCHEMA, "src/fraud/ingest.py": "import jsonschema\n"})
    evidence = run_detector(json_schemas, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "not referenced" in evidence[0].detail


def test_json_schema_mentioned_only_in_a_docstring_is_partial(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "schemas/transaction.schema.json": TRANSACTION_SCHEMA,
            "src/fraud/features.py": '''
                """Features over the fields of ``schemas/transaction.schema.json``."""
                import jsonschema

                def amount(row):
                    return float(row["amount"])
            ''',
        },
    )
    evidence = run_detector(json_schemas, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "not referenced" in evidence[0].detail


def test_json_schema_referenced_but_never_validated_is_partial(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "schemas/transaction.schema.json": TRANSACTION_SCHEMA,
            "src/fraud/docs.py": """
                import json

                def field_names():
                    with open("schemas/transaction.schema.json") as handle:
                        return sorted(json.load(handle)["properties"])
            """,
        },
    )
    evidence = run_detector(json_schemas, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "no jsonschema/fastjsonschema validation call" in evidence[0].detail


def test_json_schema_without_typed_properties_is_partial(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "schemas/request.schema.json": '{"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "properties": {}}',
            "serving/app.py": 'import jsonschema\nSCHEMA = "schemas/request.schema.json"\njsonschema.validate({}, {})\n',
        },
    )
    evidence = run_detector(json_schemas, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "no typed properties" in evidence[0].detail


def test_json_schema_only_in_tests_or_vendor_gives_nothing(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "tests/fixtures/transaction.schema.json": TRANSACTION_SCHEMA,
            "vendor/acme_sdk/schemas/event.schema.json": TRANSACTION_SCHEMA,
            "tests/test_contract.py": 'import jsonschema\nPATH = "tests/fixtures/transaction.schema.json"\n',
        },
    )
    assert run_detector(json_schemas, tmp_path) == []


def test_documents_that_only_point_at_their_schema_are_not_schemas(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "renovate.json": '{"$schema": "https://docs.renovatebot.com/renovate-schema.json", "extends": ["config:base"]}',
            ".vscode/settings.json": '{"$schema": "vscode://schemas/settings", // comment\n "editor.tabSize": 4}',
        },
    )
    assert run_detector(json_schemas, tmp_path) == []


def test_malformed_json_schema_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, {"schemas/transaction.schema.json": '{"type": "object", "properties": {"amount": {"type": "number"}'})
    evidence = run_detector(json_schemas, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]
    assert evidence[0].path == "schemas/transaction.schema.json" and "JSON" in evidence[0].detail


# --------------------------------------------------------------------------- pydantic

SERVING_SCHEMAS = '''
    """Request and response bodies of the scoring API."""
    from typing import Literal

    from pydantic import BaseModel, Field


    class Transaction(BaseModel):
        transaction_id: str = Field(min_length=1, max_length=64)
        account_id: str
        amount: float = Field(gt=0, le=50_000)
        currency: Literal["EUR", "GBP", "USD"]
        merchant_category: str | None = None
        merchant_country: str = Field(pattern=r"^[A-Z]{2}$")
        card_present: bool
        channel: str
        account_age_days: int | None = Field(default=None, ge=0)


    class Score(BaseModel):
        transaction_id: str
        score: float = Field(ge=0, le=1)
'''

SERVING_APP = """
    from fastapi import FastAPI

    from fraud.schemas import Score, Transaction

    app = FastAPI()


    @app.post("/score", response_model=Score)
    def score(transaction: Transaction) -> Score:
        return Score(transaction_id=transaction.transaction_id, score=0.1)
"""


def test_fastapi_request_model_supports(tmp_path: Path) -> None:
    write(tmp_path, {"src/fraud/schemas.py": SERVING_SCHEMAS, "src/fraud/serve.py": SERVING_APP})
    evidence = run_detector(pydantic_models, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports", "supports"]
    transaction = next(found for found in evidence if "`Transaction`" in found.detail)
    assert transaction.path == "src/fraud/schemas.py" and transaction.line == 7
    assert "9 typed fields" in transaction.detail and "constrained" in transaction.detail
    assert "src/fraud/serve.py:9" in transaction.detail and "parameter annotation" in transaction.detail


def test_aliased_pydantic_model_validate_in_batch_job_supports(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "jobs/score_batch.py": """
                import csv

                import pydantic as pd


                class Row(pd.BaseModel):
                    user_id: int
                    clicks_7d: int
                    country: str


                def load(path):
                    with open(path) as handle:
                        return [Row.model_validate(record) for record in csv.DictReader(handle)]
            """
        },
    )
    evidence = run_detector(pydantic_models, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "`Row` (3 typed fields)" in evidence[0].detail and "`.model_validate`" in evidence[0].detail


def test_subclass_and_nested_models_are_applied_through_the_applied_model(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "service/models.py": """
                from pydantic import BaseModel, TypeAdapter


                class Record(BaseModel):
                    id: str


                class Event(Record):
                    kind: str
                    value: float


                class Batch(BaseModel):
                    events: list[Event]


                BATCH = TypeAdapter(Batch)
            """
        },
    )
    evidence = run_detector(pydantic_models, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports", "supports", "supports"]
    text = details(evidence)
    assert "`Batch` (1 typed field), validated in `service/models.py:17` (`TypeAdapter`)" in text
    assert "`Event` (3 typed fields)" in text and "nested in `Batch`" in text
    assert "through subclass `Event`" in text


def test_pydantic_model_nobody_uses_is_partial_not_supports(tmp_path: Path) -> None:
    write(tmp_path, {"src/fraud/schemas.py": SERVING_SCHEMAS})
    evidence = run_detector(pydantic_models, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial", "partial"]
    assert "pydantic model `Transaction` (9 typed fields, 5 constrained) is defined but no code validates data with it" in details(
        evidence
    )


def test_pydantic_model_used_only_by_its_own_methods_or_tests_is_partial(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "src/fraud/schemas.py": """
                from pydantic import BaseModel


                class Transaction(BaseModel):
                    amount: float

                    @classmethod
                    def example(cls) -> "Transaction":
                        return Transaction(amount=1.0)
            """,
            "tests/test_schemas.py": """
                from fraud.schemas import Transaction

                def test_amount():
                    assert Transaction.model_validate({"amount": 3}).amount == 3
            """,
        },
    )
    evidence = run_detector(pydantic_models, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "only tests validate" in evidence[0].detail


def test_no_pydantic_gives_nothing(tmp_path: Path) -> None:
    write(tmp_path, {"train.py": "import numpy as np\n\nprint(np.zeros(3))\n"})
    assert run_detector(pydantic_models, tmp_path) == []


def test_settings_fieldless_vendored_and_test_models_give_nothing(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "src/fraud/settings.py": """
                from pydantic import BaseModel, ConfigDict
                from pydantic_settings import BaseSettings


                class Settings(BaseSettings):
                    model_path: str = "artifacts/model.json"
                    threshold: float = 0.5


                class Frozen(BaseModel):
                    model_config = ConfigDict(frozen=True)


                SETTINGS = Settings()
                Frozen()
            """,
            "vendor/acme/models.py": "from pydantic import BaseModel\n\nclass Payload(BaseModel):\n    id: int\n\nPayload(id=1)\n",
            "tests/helpers.py": "from pydantic import BaseModel\n\nclass Case(BaseModel):\n    x: int\n\nCase(x=1)\n",
        },
    )
    assert run_detector(pydantic_models, tmp_path) == []


def test_python_module_that_does_not_parse_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, {"serving/schemas.py": "from pydantic import BaseModel\n\nclass Request(BaseModel)\n    id: int\n"})
    evidence = run_detector(pydantic_models, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]
    assert evidence[0].path == "serving/schemas.py" and "Python" in evidence[0].detail


# --------------------------------------------------------------------------- pandera

PANDERA_SCHEMAS = """
    import pandera as pa
    from pandera.typing import Series


    class RawTransactions(pa.DataFrameModel):
        transaction_id: Series[str] = pa.Field(unique=True)
        amount: Series[float] = pa.Field(gt=0)
        currency: Series[str] = pa.Field(isin=["EUR", "GBP", "USD"])
        is_fraud: Series[int]

        class Config:
            strict = True


    FEATURES = pa.DataFrameSchema(
        {
            "amount_log": pa.Column(float),
            "tx_count_24h": pa.Column(int, pa.Check.ge(0)),
            "is_foreign": pa.Column(bool),
        }
    )
"""


def test_pandera_model_and_schema_validated_in_pipeline_support(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pipeline/schemas.py": PANDERA_SCHEMAS,
            "pipeline/prepare.py": """
                import pandas as pd

                from pipeline import schemas
                from pipeline.schemas import FEATURES


                def load(path):
                    frame = pd.read_csv(path)
                    return schemas.RawTransactions.validate(frame, lazy=True)


                def features(frame):
                    return FEATURES.validate(frame)
            """,
        },
    )
    evidence = run_detector(pandera_schemas, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports", "supports"]
    text = details(evidence)
    assert "pandera model `RawTransactions` (4 typed columns, 3 constrained), validated in `pipeline/prepare.py:9`" in text
    assert "pandera DataFrameSchema `FEATURES` (3 columns), validated in `pipeline/prepare.py:13`" in text


def test_pandera_check_types_annotation_supports(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "etl/features.py": """
                import pandera.pandas as pa
                from pandera.typing import DataFrame, Series


                class Clicks(pa.DataFrameModel):
                    user_id: Series[int]
                    clicks: Series[int] = pa.Field(ge=0)


                @pa.check_types
                def aggregate(clicks: DataFrame[Clicks]) -> DataFrame[Clicks]:
                    return clicks.groupby("user_id", as_index=False).sum()
            """
        },
    )
    evidence = run_detector(pandera_schemas, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "`@check_types` annotation" in evidence[0].detail


def test_pandera_annotation_without_check_types_and_empty_schema_are_partial(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "etl/features.py": """
                import pandera as pa
                from pandera.typing import DataFrame, Series


                class Clicks(pa.DataFrameModel):
                    user_id: Series[int]


                EMPTY = pa.DataFrameSchema({})


                def aggregate(clicks: DataFrame[Clicks]) -> DataFrame[Clicks]:
                    return EMPTY.validate(clicks)
            """
        },
    )
    evidence = run_detector(pandera_schemas, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial", "partial"]
    text = details(evidence)
    assert "`Clicks` (1 typed column) is defined but no code validates data with it" in text
    assert "`EMPTY` declares no columns" in text


def test_no_pandera_or_only_in_tests_gives_nothing(tmp_path: Path) -> None:
    write(tmp_path, {"tests/test_frames.py": PANDERA_SCHEMAS + "\nRawTransactions.validate(None)\n"})
    assert run_detector(pandera_schemas, tmp_path) == []
    assert run_detector(pandera_schemas, tmp_path / "tests") == []


def test_pandera_module_that_does_not_parse_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, {"etl/schemas.py": "import pandera as pa\nSCHEMA = pa.DataFrameSchema({\n"})
    assert verdicts(run_detector(pandera_schemas, tmp_path), ITEM) == ["unreadable"]


# --------------------------------------------------------------------------- Great Expectations

GX_SUITE = json.dumps(
    {
        "name": "raw_transactions",
        "id": "5f0c1f0e-8d52-4c38-9d0e-7a4cbf1c3b11",
        "expectations": [
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "transaction_id"}},
            {"type": "expect_column_values_to_be_between", "kwargs": {"column": "amount", "min_value": 0}},
            {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "currency", "value_set": ["EUR", "USD"]}},
        ],
        "meta": {"great_expectations_version": "1.3.0"},
    },
    indent=2,
)


def test_gx_suite_run_by_validation_definition_supports(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "gx/expectations/raw_transactions.json": GX_SUITE,
            "gx/validation_definitions/raw_transactions_daily.json": json.dumps(
                {"name": "raw_transactions_daily", "data": {"asset": {"name": "raw"}}, "suite": {"name": "raw_transactions"}}
            ),
        },
    )
    evidence = run_detector(great_expectations_suites, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "suite `raw_transactions` (3 expectations)" in evidence[0].detail
    assert "gx/validation_definitions/raw_transactions_daily.json" in evidence[0].detail


def test_legacy_gx_suite_run_by_checkpoint_yaml_supports(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "great_expectations/expectations/transactions/warning.json": json.dumps(
                {
                    "expectation_suite_name": "transactions.warning",
                    "expectations": [{"expectation_type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1000}}],
                }
            ),
            "great_expectations/checkpoints/nightly.yml": """
                name: nightly
                config_version: 1.0
                class_name: Checkpoint
                validations:
                  - batch_request:
                      datasource_name: warehouse
                      data_asset_name: transactions
                    expectation_suite_name: transactions.warning
            """,
        },
    )
    evidence = run_detector(great_expectations_suites, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "(1 expectation)" in evidence[0].detail and "great_expectations/checkpoints/nightly.yml" in evidence[0].detail


def test_gx_suite_named_in_pipeline_code_supports(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "gx/expectations/raw_transactions.json": GX_SUITE,
            "dags/validate.py": """
                import great_expectations as gx

                def run(context: "gx.DataContext"):
                    suite = context.suites.get("raw_transactions")
                    return suite
            """,
        },
    )
    evidence = run_detector(great_expectations_suites, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "dags/validate.py:4" in evidence[0].detail


def test_gx_suite_nothing_runs_and_empty_suite_are_partial(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "gx/expectations/raw_transactions.json": GX_SUITE,
            "gx/expectations/features.json": '{"name": "features", "expectations": []}',
            "tests/test_gx.py": 'SUITE = "raw_transactions"\n',
        },
    )
    evidence = run_detector(great_expectations_suites, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial", "partial"]
    text = details(evidence)
    assert "`features` has no expectations" in text
    assert "`raw_transactions` (3 expectations) is not run by any checkpoint" in text


def test_no_gx_suite_gives_nothing(tmp_path: Path) -> None:
    write(tmp_path, {"reports/metrics.json": '{"expectations": "met", "auc": 0.91}', "README.md": "# Fraud\n"})
    assert run_detector(great_expectations_suites, tmp_path) == []


def test_malformed_gx_suite_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, {"gx/expectations/raw_transactions.json": GX_SUITE[:-20]})
    evidence = run_detector(great_expectations_suites, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]
    assert evidence[0].path == "gx/expectations/raw_transactions.json"



# ---------------------------------------------------------------------------- Avro

AVSC = """{
  "type": "record", "name": "Transaction", "namespace": "payments",
  "fields": [
    {"name": "transaction_id", "type": "string"},
    {"name": "amount", "type": "double"},
    {"name": "merchant_category", "type": ["null", "string"], "default": null}
  ]
}
"""

CONSUMER = """\
import json

import fastavro

SCHEMA = fastavro.parse_schema(json.load(open("schemas/transaction.avsc")))


def read(stream):
    return list(fastavro.reader(stream, reader_schema=SCHEMA))
"""


def test_avro_schema_read_by_the_consumer_supports(tmp_path: Path) -> None:
    write(tmp_path, {"schemas/transaction.avsc": AVSC, "ingest/consumer.py": CONSUMER})
    evidence = run_detector(avro_schemas, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "Avro schema `schemas/transaction.avsc` (3 typed fields)" in evidence[0].detail
    assert "fastavro.parse_schema" in evidence[0].detail


def test_avro_schema_nobody_reads_is_partial(tmp_path: Path) -> None:
    write(tmp_path, {"schemas/transaction.avsc": AVSC})
    evidence = run_detector(avro_schemas, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "not referenced" in evidence[0].detail


def test_no_avro_schema_gives_nothing(tmp_path: Path) -> None:
    write(tmp_path, {"ingest/consumer.py": CONSUMER})
    assert run_detector(avro_schemas, tmp_path) == []


def test_avsc_that_is_not_a_record_or_does_not_parse(tmp_path: Path) -> None:
    write(tmp_path, {
        "schemas/kind.avsc": '{"type": "enum", "name": "Kind", "symbols": ["A", "B"]}',
        "schemas/broken.avsc": '{"type": "record", "fields": [',
        "ingest/consumer.py": CONSUMER,
    })
    evidence = run_detector(avro_schemas, tmp_path)
    assert sorted(verdicts(evidence, ITEM)) == ["partial", "unreadable"]
