"""Regenerate the detector tables of docs/detectors/README.md from the registry and the built-in catalogs.

Run from the repository root after adding or renaming a detector: `.venv/bin/python scripts/update_detector_index.py`.
tests/test_docs.py fails until the tables are in step.
"""
from pytest_mlchecklist.detectors.registry import BUILTIN_DETECTORS
from pytest_mlchecklist.catalog import load_builtin_catalog
by = {}
for d in BUILTIN_DETECTORS:
    for i in d.items:
        by.setdefault(i, []).append(d.name)
base = load_builtin_catalog("production-ml-51")
nets = load_builtin_catalog("safety-nets")
rows = ["| Item | Detectors | Page |", "|---|---|---|"]
for it in base.items:
    if it.id in by:
        rows.append(f"| [{it.number}] {it.id} | {', '.join('`'+n+'`' for n in by[it.id])} | [{it.id}.md]({it.id}.md) |")
rows += ["", "### Safety-nets items", "",
         "The safety-nets catalog ([../safety-nets.md](../safety-nets.md)) reuses the detectors above for the 23",
         "items that are the same safety net as one of the 51; these are the detectors of its 17 other items.", "",
         "| Item | Detectors | Page |", "|---|---|---|"]
for it in nets.items:
    if not it.same_as and it.id in by:
        rows.append(f"| [{it.number}] {it.id} | {', '.join('`'+n+'`' for n in by[it.id])} | [{it.id}.md]({it.id}.md) |")
table = "\n".join(rows) + "\n"
p = "docs/detectors/README.md"
s = open(p).read()
start = s.index("| Item | Detectors | Page |")
end = s.index("\nThe exact detector names")
s = s[:start] + table + s[end:]
open(p, 'w').write(s)
print("without detector:", [it.id for it in base.items if it.id not in by] + [it.id for it in nets.items if not it.same_as and it.id not in by])
