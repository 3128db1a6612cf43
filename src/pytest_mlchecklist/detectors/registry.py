"""The built-in detectors.

The list is explicit on purpose: adding a detector means importing its module here and adding
its ``DETECTORS`` tuple; nothing registers itself by side effect.
"""

from __future__ import annotations

from pytest_mlchecklist.detectors import data_pipeline, model_development, model_testing, monitoring, runbooks, serving
from pytest_mlchecklist.detectors.base import Detector

BUILTIN_DETECTORS: tuple[Detector, ...] = (
    *data_pipeline.DETECTORS,
    *model_development.DETECTORS,
    *model_testing.DETECTORS,
    *serving.DETECTORS,
    *runbooks.DETECTORS,
    *monitoring.DETECTORS,
)
