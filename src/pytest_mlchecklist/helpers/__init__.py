"""Testing helpers: fixtures that measure inside a test and record what they measured as
checklist evidence.

Each module holds one helper's logic and its ``ml_*`` fixture; :mod:`pytest_mlchecklist.plugin`
imports the fixtures, which registers them with every pytest run. ``ml_latency`` and the
``ml_record`` fixture they all record through are defined in the plugin module itself.

Shared by several helpers: :mod:`~pytest_mlchecklist.helpers.configured` (thresholds from the
configuration: ``sla``, ``metrics``, ``drift``) and :mod:`~pytest_mlchecklist.helpers.numeric`
(NumPy when the ``stats`` extra is installed).
"""
