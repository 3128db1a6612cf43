"""The built-in detectors.

The list is explicit on purpose: adding a detector means importing its module here and adding
its ``DETECTORS`` tuple; nothing registers itself by side effect. The order follows the
catalog's sections.
"""

from __future__ import annotations

from pytest_mlchecklist.detectors import (
    alerting,
    ci_gates,
    code_structure,
    data_contracts,
    data_handling,
    data_monitoring,
    data_pipeline,
    data_versioning,
    evaluation,
    governance,
    model_development,
    model_docs,
    model_testing,
    monitoring,
    observability,
    org_documents,
    runbooks,
    safety_compliance,
    safety_experiments,
    safety_observability,
    safety_rollout,
    safety_team,
    security,
    serving,
    serving_resilience,
    test_behaviour,
)
from pytest_mlchecklist.detectors.base import Detector

BUILTIN_DETECTORS: tuple[Detector, ...] = (
    # data pipeline (items 1-10; item 8 is read from the import graph in code_structure)
    *data_pipeline.DETECTORS,
    *data_handling.DETECTORS,
    *data_monitoring.DETECTORS,
    *data_contracts.DETECTORS,
    # model development (11-18)
    *data_versioning.DETECTORS,
    *evaluation.DETECTORS,
    *model_development.DETECTORS,
    *model_docs.DETECTORS,
    # model testing (19-25, and 8, 12)
    *code_structure.DETECTORS,
    *test_behaviour.DETECTORS,
    *ci_gates.DETECTORS,
    *model_testing.DETECTORS,
    # serving infrastructure (26-33, and 38-39 from observability)
    *serving.DETECTORS,
    *serving_resilience.DETECTORS,
    *observability.DETECTORS,
    *runbooks.DETECTORS,
    # monitoring and alerting (34-40)
    *alerting.DETECTORS,
    *monitoring.DETECTORS,
    # security and compliance (41-45) and retraining (48)
    *security.DETECTORS,
    *governance.DETECTORS,
    # organisational readiness (46, 47, 49-51)
    *org_documents.DETECTORS,
    # safety-nets items that the 51-point list does not have (the others reuse the detectors above)
    *safety_rollout.DETECTORS,
    *safety_observability.DETECTORS,
    *safety_experiments.DETECTORS,
    *safety_compliance.DETECTORS,
    *safety_team.DETECTORS,
)
