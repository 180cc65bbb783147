"""Start-up of the processes the workbench owns: the ``finrisk`` command and the Dask workers it starts."""

from __future__ import annotations

import sys

__all__ = ["dask_setup", "skip_iri_grammars"]


def skip_iri_grammars() -> None:
    """Spare this process the ~2 s (CPU) import of ``rfc3987_syntax``.

    jsonschema imports that module, where installed (Jupyter's dependencies install it), for its ``iri`` format
    checker, and it compiles some 35 Lark grammars at import; every process that imports nbformat or papermill
    pays for it (python-jsonschema/jsonschema#1428). Nothing the workbench validates has that format, so the
    processes it owns mark the module absent before jsonschema is first imported: jsonschema then goes without
    the ``iri`` checker, as where the module is not installed. Only for the workbench's own processes (never
    called on import of the package, so a user's process keeps every checker); a no-op once jsonschema is
    imported."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]  # None: "absent"


def dask_setup(worker: object) -> None:
    """Dask preload hook, run in each worker process of the workbench's local clusters as it starts."""
    skip_iri_grammars()
