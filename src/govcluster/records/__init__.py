"""Typed, versioned records of the stored results; the renderers read only these.

- :mod:`govcluster.records.base`: the machinery (``from_dict``/``to_dict``, schema version,
  the registry of record kinds);
- :mod:`govcluster.records.panel`: panel job files and their results;
- :mod:`govcluster.records.mediation`: the mediation analysis.

The estimators import only :mod:`govcluster.records.base` (for :data:`SCHEMA_VERSION`), so
this package imports no submodule eagerly.
"""

from govcluster.records.base import (
    RECORD_KINDS,
    SCHEMA_VERSION,
    Record,
    RecordError,
    VersionedRecord,
    read_record,
    register_record,
    stamp,
)

__all__ = [
    "RECORD_KINDS",
    "SCHEMA_VERSION",
    "Record",
    "RecordError",
    "VersionedRecord",
    "read_record",
    "register_record",
    "stamp",
]
