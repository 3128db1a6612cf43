"""Testing helpers: the logic behind the ``ml_*`` fixtures that measure inside a test and record
what they measured as checklist evidence (the fixtures themselves are in :mod:`pytest_mlchecklist.plugin`)."""
