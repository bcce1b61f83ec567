"""Typed, read-only records of stored results: the machinery every record kind shares.

A record is a frozen dataclass whose fields are the keys of one JSON object, in the order
they are written. :meth:`Record.from_dict` checks a stored object against the declared
fields (no key missing, none unknown, each value of its declared type) and builds the
record; :meth:`Record.to_dict` gives back the same object, so ``Record.from_dict(d).to_dict()
== d`` for every record the pipeline writes. Top-level records (:class:`VersionedRecord`)
carry ``"schema_version"`` and ``"kind"``; a reader refuses a kind it does not know and a
version it cannot read, with a message that says what to do.

Field types understood: ``str``, ``int``, ``float``, ``bool``, ``None`` and unions of them,
``tuple[T, ...]`` (a JSON list), ``Mapping[str, T]`` (a JSON object with free keys), another
:class:`Record`, a union of records told apart by their ``kind``, and ``Any`` (kept as read).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import cache
from typing import Any, ClassVar, Union, get_args, get_origin

#: Version of the JSON layout of the record kinds written by this version of the package (a
#: kind whose layout changed since declares its own ``VERSION``).
SCHEMA_VERSION = 1

#: Version of the layout of a panel job file (:class:`govcluster.records.panel.PanelJobRecord`):
#: 2 adds the ``columns`` field (the user's entity and time names that the record uses).
PANEL_JOB_SCHEMA_VERSION = 2


class RecordError(ValueError):
    """A stored result does not have the layout its reader expects."""


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _is_record(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, Record)


def _type_name(tp: Any) -> str:
    return getattr(tp, "__name__", str(tp))


def _read(tp: Any, value: Any, where: str) -> Any:
    """``value`` (as read from JSON) checked against ``tp`` and converted to it."""
    if tp is Any:
        return value
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        options = get_args(tp)
        if value is None and type(None) in options:
            return None
        records = [option for option in options if _is_record(option)]
        if len(records) == 1 and not records[0].KINDS and isinstance(value, Mapping):
            return records[0].from_dict(value, where=where)
        if records and isinstance(value, Mapping):
            kind = value.get("kind")
            for option in records:
                if kind in option.KINDS:
                    return option.from_dict(value, where=where)
            known = sorted(k for option in records for k in option.KINDS)
            raise RecordError(f"{where}: kind {kind!r} is not one of {known}")
        for option in options:
            if option is type(None):
                continue
            try:
                return _read(option, value, where)
            except RecordError:
                continue
        raise RecordError(
            f"{where}: {value!r} is none of {', '.join(_type_name(o) for o in options)}"
        )
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise RecordError(f"{where}: expected a list, got {type(value).__name__}")
        args = get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_read(args[0], v, f"{where}[{i}]") for i, v in enumerate(value))
        if len(args) != len(value):
            raise RecordError(f"{where}: expected {len(args)} values, got {len(value)}")
        pairs = enumerate(zip(args, value, strict=True))
        return tuple(_read(a, v, f"{where}[{i}]") for i, (a, v) in pairs)
    if origin in (Mapping, dict, typing.Mapping):
        if not isinstance(value, Mapping):
            raise RecordError(f"{where}: expected an object, got {type(value).__name__}")
        _, value_type = get_args(tp)
        return {str(k): _read(value_type, v, f"{where}.{k}") for k, v in value.items()}
    if _is_record(tp):
        if not isinstance(value, Mapping):
            raise RecordError(f"{where}: expected an object, got {type(value).__name__}")
        return tp.from_dict(value, where=where)
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise RecordError(f"{where}: expected a number, got {value!r}")
        return value  # kept as stored (an int stays an int), so to_dict gives it back
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise RecordError(f"{where}: expected an integer, got {value!r}")
        return value
    if tp is bool or tp is str:
        if not isinstance(value, tp):
            raise RecordError(f"{where}: expected {tp.__name__}, got {value!r}")
        return value
    if tp is type(None):
        if value is not None:
            raise RecordError(f"{where}: expected null, got {value!r}")
        return None
    raise TypeError(f"{where}: unsupported field type {tp!r}")


def _write(value: Any) -> Any:
    if isinstance(value, Record):
        return value.to_dict()
    if isinstance(value, tuple):
        return [_write(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _write(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Record:
    """A JSON object with declared fields; see the module docstring.

    Subclasses declare ``KINDS`` (the accepted values of their ``kind`` field) when they have
    one.
    """

    KINDS: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, where: str | None = None):
        """Read a stored JSON object.

        Parameters
        ----------
        data : mapping
            The object as read from JSON.
        where : str, optional
            Where the object sits (for error messages); the class name by default.

        Raises
        ------
        RecordError
            If a key is missing or unknown, a value has the wrong type, or ``kind`` is not
            one of the class's kinds.
        """
        where = where or cls.__name__
        if not isinstance(data, Mapping):
            raise RecordError(f"{where}: expected an object, got {type(data).__name__}")
        hints = _hints(cls)
        names = [f.name for f in fields(cls)]
        unknown = [key for key in data if key not in hints]
        if unknown:
            raise RecordError(
                f"{where}: unknown key(s) {unknown}; a {cls.__name__} has {names}. The file "
                "was written by another version of govcluster: rerun the rule that wrote it."
            )
        missing = [name for name in names if name not in data]
        if missing:
            raise RecordError(
                f"{where}: missing key(s) {missing} of a {cls.__name__}. The file was "
                "written by another version of govcluster: rerun the rule that wrote it."
            )
        if cls.KINDS and data.get("kind") not in cls.KINDS:
            raise RecordError(
                f"{where}: kind {data.get('kind')!r} is not a {cls.__name__} "
                f"(expected {' or '.join(map(repr, cls.KINDS))})"
            )
        cls._check_version(data, where)
        values = {name: _read(hints[name], data[name], f"{where}.{name}") for name in names}
        return cls(**values)

    @classmethod
    def _check_version(cls, data: Mapping[str, Any], where: str) -> None:
        """Versioned records check ``schema_version`` here."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON object, keys in the declared order (the order they are written in)."""
        return {f.name: _write(getattr(self, f.name)) for f in fields(self)}


@dataclass(frozen=True)
class VersionedRecord(Record):
    """A top-level record, whose reader checks the schema version.

    It declares ``schema_version: int`` and ``kind: str`` fields (first, as written).
    ``VERSION`` is the version its reader reads (:data:`SCHEMA_VERSION` unless the kind's
    layout changed since).
    """

    VERSION: ClassVar[int] = SCHEMA_VERSION

    @classmethod
    def _check_version(cls, data: Mapping[str, Any], where: str) -> None:
        version = data.get("schema_version")
        if version != cls.VERSION:
            raise RecordError(
                f"{where}: schema_version {version!r} cannot be read by this version of "
                f"govcluster, which reads and writes schema_version {cls.VERSION} of a "
                f"{cls.__name__}; rerun the rule that wrote the file (snakemake --forcerun "
                "<rule>)."
            )


#: Record classes by the value of their ``kind`` (see :func:`register_record`).
RECORD_KINDS: dict[str, type[Record]] = {}


def register_record(cls: type[Record]) -> type[Record]:
    """Class decorator: make ``cls`` readable by :func:`read_record` under its ``KINDS``."""
    for kind in cls.KINDS:
        known = RECORD_KINDS.get(kind)
        if known is not None and known is not cls:
            raise ValueError(f"record kind {kind!r} is already read by {known.__name__}")
        RECORD_KINDS[kind] = cls
    return cls


def read_record(data: Mapping[str, Any], *, where: str = "record") -> Record:
    """Read a stored object with the record class registered for its ``kind``.

    Raises
    ------
    RecordError
        If no record class reads that kind.
    """
    kind = data.get("kind") if isinstance(data, Mapping) else None
    if kind not in RECORD_KINDS:
        raise RecordError(
            f"{where}: no reader for record kind {kind!r}; known kinds: {sorted(RECORD_KINDS)}"
        )
    return RECORD_KINDS[kind].from_dict(data, where=where)


def stamp(record: Mapping[str, Any], kind: str | None = None) -> dict[str, Any]:
    """``record`` with ``schema_version`` first (and ``kind``, if given, second)."""
    out: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
    if kind is not None:
        out["kind"] = kind
    out.update({k: v for k, v in record.items() if k not in out})
    return out
