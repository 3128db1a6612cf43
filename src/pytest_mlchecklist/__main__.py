"""Allow ``python -m pytest_mlchecklist`` as a synonym of the ``ml-checklist`` command."""

from pytest_mlchecklist.cli import main

raise SystemExit(main())
