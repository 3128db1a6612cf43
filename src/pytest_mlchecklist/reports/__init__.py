"""Reports: each takes a :class:`~pytest_mlchecklist.engine.ChecklistResult` and nothing else."""
