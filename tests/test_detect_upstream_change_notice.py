"""Item 10 (upstream-change-notice): data contracts, schema registry compatibility, CODEOWNERS on
shared schemas, and documented source owners with a change-notice channel."""

from __future__ import annotations

from pathlib import Path

from conftest import run_detector, verdicts, write_file as write

from pytest_mlchecklist.detectors.data_contracts import (
    DETECTORS,
    codeowners_schemas,
    data_contract,
    schema_registry_compatibility,
    upstream_sources_doc,
)

ITEM = "upstream-change-notice"

DATACONTRACT = """\
dataContractSpecification: 1.1.0
id: urn:datacontract:payments:authorisations
info:
  title: Card authorisations
  version: 2.3.0
  owner: payments-gateway
  contact:
    name: Payments gateway team
    url: https://chat.acme.internal/channels/payments-data
servers:
  production:
    type: s3
    location: s3://acme-fraud-raw/exports/*.csv
models:
  authorisations:
    type: table
    fields:
      transaction_id: {type: string, required: true, unique: true}
      amount: {type: decimal, required: true}
      mcc: {type: string}
"""


def run_all(root: Path) -> list[str]:
    return [found.verdict for detector in DETECTORS for found in run_detector(detector, root) if found.item == ITEM]


# ---------------------------------------------------------------------- data contracts
def test_data_contract_specification_supports(tmp_path: Path) -> None:
    write(tmp_path, "contracts/authorisations/datacontract.yaml", DATACONTRACT)
    evidence = run_detector(data_contract, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    found = evidence[0]
    assert found.line == 1 and "urn:datacontract:payments:authorisations" in found.detail
    assert "1 model" in found.detail and "owner" in found.detail


def test_data_contract_without_owner_is_partial(tmp_path: Path) -> None:
    text = DATACONTRACT.replace("  owner: payments-gateway\n", "").replace(
        "  contact:\n    name: Payments gateway team\n    url: https://chat.acme.internal/channels/payments-data\n", "")
    write(tmp_path, "datacontract.yaml", text)
    evidence = run_detector(data_contract, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "names no owner" in evidence[0].detail


def test_odcs_contract_supports(tmp_path: Path) -> None:
    write(tmp_path, "contracts/chargebacks.odcs.yaml", """\
apiVersion: v3.0.0
kind: DataContract
id: 53581432-6c55-4ba2-a65f-72344a91553a
name: chargebacks
version: 1.0.0
status: active
schema:
  - name: chargebacks
    physicalName: disputes.chargebacks_v2
    properties:
      - {name: transaction_id, logicalType: string, required: true}
      - {name: reason_code, logicalType: string}
team:
  - {username: mkowalski, role: owner}
support:
  - {channel: "#disputes-data", tool: slack, url: "https://acme.slack.com/archives/C02DISPUTES"}
""")
    evidence = run_detector(data_contract, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "ODCS data contract `chargebacks`" in evidence[0].detail and evidence[0].line == 2


def test_dbt_enforced_contract_supports_and_unenforced_is_nothing(tmp_path: Path) -> None:
    write(tmp_path, "dbt/models/marts/schema.yml", """\
version: 2
models:
  - name: fct_authorisations
    config:
      contract:
        enforced: true
    columns:
      - {name: transaction_id, data_type: varchar}
      - {name: amount, data_type: numeric(12, 2)}
  - name: dim_merchant
    config:
      contract: {enforced: false}
""")
    evidence = run_detector(data_contract, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "dbt model `fct_authorisations` enforces its contract, 2 typed columns" in evidence[0].detail
    assert evidence[0].line == 3
    other = tmp_path / "other"
    write(other, "models/schema.yml", "version: 2\nmodels:\n  - name: x\n    config:\n      contract: {enforced: false}\n")
    assert run_detector(data_contract, other) == []


def test_dbt_project_contract_on_a_folder(tmp_path: Path) -> None:
    write(tmp_path, "dbt_project.yml", """\
name: payments
version: "1.0.0"
models:
  payments:
    marts:
      +contract:
        enforced: true
    staging:
      +materialized: view
""")
    evidence = run_detector(data_contract, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "`payments.marts`" in evidence[0].detail


def test_malformed_contract_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, "datacontract.yaml", "dataContractSpecification: 1.1.0\nmodels: [unclosed\n")
    evidence = run_detector(data_contract, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]


# ---------------------------------------------------------------------- schema registry
def test_confluent_for_kubernetes_schema_supports(tmp_path: Path) -> None:
    write(tmp_path, "deploy/kafka/schemas.yaml", """\
apiVersion: platform.confluent.io/v1beta1
kind: Schema
metadata:
  name: authorisations-value
spec:
  data:
    format: avro
    configRef: authorisations-avsc
  compatibilityLevel: BACKWARD
""")
    evidence = run_detector(schema_registry_compatibility, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "subject `authorisations-value` requires BACKWARD compatibility" in evidence[0].detail
    assert evidence[0].line == 9


def test_compatibility_none_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "registry/config.json", '{"subject": "authorisations-value", "compatibility": "NONE"}')
    evidence = run_detector(schema_registry_compatibility, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "subject `authorisations-value` sets compatibility NONE" in evidence[0].detail


def test_docker_compose_environment_and_properties(tmp_path: Path) -> None:
    write(tmp_path, "docker-compose.yml", """\
services:
  schema-registry:
    image: confluentinc/cp-schema-registry:7.6.0
    environment:
      - SCHEMA_REGISTRY_HOST_NAME=schema-registry
      - SCHEMA_REGISTRY_SCHEMA_COMPATIBILITY_LEVEL=full_transitive
""")
    write(tmp_path, "registry/schema-registry.properties", "listeners=http://0.0.0.0:8081\nschema.compatibility.level=forward\n")
    evidence = run_detector(schema_registry_compatibility, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports", "supports"]
    assert {found.path for found in evidence} == {"docker-compose.yml", "registry/schema-registry.properties"}
    assert any("FULL_TRANSITIVE" in found.detail for found in evidence)
    assert any("FORWARD" in found.detail and found.line == 2 for found in evidence)


def test_terraform_subject_config_supports(tmp_path: Path) -> None:
    write(tmp_path, "infra/kafka.tf", """\
resource "confluent_subject_config" "authorisations" {
  subject_name        = "authorisations-value"
  compatibility_level = "BACKWARD_TRANSITIVE"
  # compatibility_level = "NONE"
}
""")
    evidence = run_detector(schema_registry_compatibility, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "subject `authorisations-value` requires BACKWARD_TRANSITIVE" in evidence[0].detail


def test_compatibility_key_outside_schema_context_is_nothing(tmp_path: Path) -> None:
    write(tmp_path, "configs/browser.yaml", "targets:\n  compatibility: full\n  browsers: [chrome, firefox]\n")
    assert run_detector(schema_registry_compatibility, tmp_path) == []


def test_unbalanced_terraform_is_unreadable(tmp_path: Path) -> None:
    write(tmp_path, "infra/kafka.tf", 'resource "confluent_subject_config" "a" {\n  compatibility_level = "FULL"\n')
    evidence = run_detector(schema_registry_compatibility, tmp_path)
    assert verdicts(evidence, ITEM) == ["unreadable"]


# ---------------------------------------------------------------------- CODEOWNERS
def test_codeowners_with_an_upstream_owner_on_schemas_supports(tmp_path: Path) -> None:
    write(tmp_path, ".github/CODEOWNERS", """\
*                @acme/fraud-ml
/schemas/        @acme/fraud-ml @acme/payments-gateway
""")
    write(tmp_path, "schemas/transaction.schema.json", "{}")
    write(tmp_path, "schemas/chargeback.avsc", "{}")
    evidence = run_detector(codeowners_schemas, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].line == 2 and "`/schemas/` (2 files)" in evidence[0].detail
    assert "1 owner besides the default owners" in evidence[0].detail
    assert "payments" not in evidence[0].detail


def test_codeowners_with_default_owners_only_is_partial(tmp_path: Path) -> None:
    write(tmp_path, "CODEOWNERS", "* @acme/fraud-ml\n*.proto @acme/fraud-ml\n")
    write(tmp_path, "proto/score.proto", 'syntax = "proto3";\n')
    evidence = run_detector(codeowners_schemas, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "default owners only" in evidence[0].detail


def test_codeowners_rule_for_missing_schema_files_is_nothing(tmp_path: Path) -> None:
    write(tmp_path, "CODEOWNERS", "* @acme/fraud-ml\n/schemas/ @acme/payments-gateway\n")
    write(tmp_path, "src/app.py", "x = 1\n")
    assert run_detector(codeowners_schemas, tmp_path) == []


# ---------------------------------------------------------------------- Markdown
def test_sources_table_with_owners_and_notice_channel_supports(tmp_path: Path) -> None:
    write(tmp_path, "docs/data.md", """\
# Training data

## Upstream sources

| data | owner | change notice |
|---|---|---|
| Authorisation exports | @acme/payments-gateway | #payments-data-changes, 2 weeks ahead |
| Chargebacks | disputes team (disputes-data@acme.io) | disputes-data mailing list |
""")
    evidence = run_detector(upstream_sources_doc, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert evidence[0].line == 3 and "an owner for each of its 2 sources" in evidence[0].detail and "change-notice column" in evidence[0].detail


def test_sources_list_with_owners_and_announcement_sentence_supports(tmp_path: Path) -> None:
    write(tmp_path, "README.md", """\
# Demand forecast

## Data sources

- Point-of-sale sales, owned by @retail/pos-platform
- Promotions calendar, owned by @retail/marketing-ops

Both teams announce schema and schedule changes in #data-contracts at least two weeks ahead; the
forecast team is subscribed.
""")
    evidence = run_detector(upstream_sources_doc, tmp_path)
    assert verdicts(evidence, ITEM) == ["supports"]
    assert "change-notice channel" in evidence[0].detail


def test_sources_without_channel_or_owners_are_partial(tmp_path: Path) -> None:
    write(tmp_path, "docs/data.md", """\
# Training data

## Sources

| data | produced by | where | cadence |
|---|---|---|---|
| Authorisation exports | payment gateway export job | s3://acme-fraud-raw/exports/ | daily |
| Chargebacks | ? | s3://acme-disputes-exports/ | daily |
""")
    evidence = run_detector(upstream_sources_doc, tmp_path)
    assert verdicts(evidence, ITEM) == ["partial"]
    assert "2 sources" in evidence[0].detail and "1 without an owner" in evidence[0].detail
    assert "no channel where changes are announced" in evidence[0].detail


def test_bibliography_sources_section_is_not_support(tmp_path: Path) -> None:
    write(tmp_path, "docs/background.md", """\
# Background

## Sources

- Sculley et al., Hidden Technical Debt in Machine Learning Systems, 2015
- Breck et al., The ML Test Score, 2017
""")
    assert run_all(tmp_path) == []


def test_nothing_there(tmp_path: Path) -> None:
    write(tmp_path, "README.md", "# Fraud scoring\n\nScores transactions.\n")
    write(tmp_path, "configs/train.yaml", "seed: 42\n")
    assert run_all(tmp_path) == []
