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
    runbooks,
    security,
    serving,
    serving_resilience,
    test_behaviour,
)
from pytest_mlchecklist.detectors.base import Detector

BUILTIN_DETECTORS: tuple[Detector, ...] = (
    # data pipeline
    *data_pipeline.DETECTORS,
    *data_handling.DETECTORS,
    *data_monitoring.DETECTORS,
    *data_contracts.DETECTORS,
    # model development
    *data_versioning.DETECTORS,
    *evaluation.DETECTORS,
    *model_development.DETECTORS,
    *model_docs.DETECTORS,
    # model testing
    *code_structure.DETECTORS,
    *test_behaviour.DETECTORS,
    *ci_gates.DETECTORS,
    *model_testing.DETECTORS,
    # serving infrastructure
    *serving.DETECTORS,
    *serving_resilience.DETECTORS,
    *observability.DETECTORS,
    *runbooks.DETECTORS,
    # security, compliance and organisation
    *security.DETECTORS,
    *governance.DETECTORS,
    # monitoring and alerting
    *alerting.DETECTORS,
    *monitoring.DETECTORS,
)
