"""Detectors: one module per checklist section, the interface in :mod:`.base`, and the list of
built-in detectors in :mod:`.registry`."""
