"""The dimensions of a specification curve and the specifications they cross.

A curve is configured by the ``speccurve:`` section of config/config.yaml. Its dimensions are

``index_methods``
    How the composite indices are built (``entropy``, ``pca``, ``zscore``;
    :mod:`govcluster.indices`).
``winsorize``
    Whether the cleaning step winsorises (``true``/``false``; :mod:`govcluster.clean`).
``control_sets``
    Named lists of controls, e.g. ``{none: [], baseline: [ln_employment, ...]}``.
``fixed_effects``
    ``none`` (pooled OLS with an intercept), ``entity``, ``entity_year`` (two-way) or
    ``entity_region_year`` (entity effects and one effect per region-year).
``samples``
    ``full``, ``drop_region:<region>`` (one option per region named), ``drop_edge_years``
    (the first and last ``edge_years`` years dropped) or ``balanced`` (clusters observed in
    every year of the sample only).
``se_types``
    ``cluster_entity``, ``cluster_province``, ``robust`` or ``unadjusted``.

The first two make the *data variants* (each built once); the others are crossed within each
variant. Their product is checked against ``max_specifications`` before any job runs
(:func:`check_specification_count`).

This module imports only the standard library: the per-specification jobs read it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from govcluster.errors import ConfigError

SCHEMA_VERSION = 1

IndexMethod = Literal["entropy", "pca", "zscore"]
FixedEffects = Literal["none", "entity", "entity_year", "entity_region_year"]
SeType = Literal["cluster_entity", "cluster_province", "robust", "unadjusted"]
SampleKind = Literal["full", "drop_region", "drop_edge_years", "balanced"]

#: Column names the variants carry for the sample and the standard errors.
ENTITY, TIME, REGION, PROVINCE = "cluster_id", "year", "region", "province"


def _check_literal(value: object, options: Any, key: str) -> None:
    allowed = get_args(options)
    if value not in allowed:
        shown = ", ".join(repr(a) for a in allowed)
        raise ConfigError(
            f"config key {key}: {value!r} is not an option; use one of {shown} "
            "(config/config.yaml, section speccurve)."
        )


def _distinct(values: Sequence[Any], key: str) -> tuple[Any, ...]:
    values = tuple(values)
    if not values:
        raise ConfigError(
            f"config key {key} is empty: list at least one option (config/config.yaml, "
            "section speccurve)."
        )
    repeated = sorted({str(v) for v in values if values.count(v) > 1})
    if repeated:
        raise ConfigError(f"config key {key} lists {', '.join(repeated)} more than once.")
    return values


def sample_kind(sample: str) -> tuple[str, str | None]:
    """Split a sample option into kind and argument (``drop_region:west``: region ``west``)."""
    kind, _, argument = str(sample).partition(":")
    return kind, (argument or None)


def _check_sample(sample: str, key: str) -> str:
    kind, argument = sample_kind(sample)
    _check_literal(kind, SampleKind, key)
    if kind == "drop_region" and not argument:
        raise ConfigError(
            f"config key {key}: 'drop_region' needs the region to drop, e.g. "
            "'drop_region:west' (one entry per region)."
        )
    if kind != "drop_region" and argument:
        raise ConfigError(f"config key {key}: {sample!r}: only drop_region takes an argument.")
    return str(sample)


@dataclass(frozen=True, kw_only=True)
class CurveDimensions:
    """What a specification curve crosses, and how it is fitted and tested.

    Parameters
    ----------
    outcome, treatment : str
        Columns of the analysis panel: the curve is of the treatment's coefficient.
    index_methods : sequence of IndexMethod
    winsorize : sequence of bool
    control_sets : mapping of str to sequence of str
        Name -> controls (columns of the analysis panel).
    fixed_effects : sequence of FixedEffects
    samples : sequence of str
        ``full``, ``drop_region:<region>``, ``drop_edge_years``, ``balanced``.
    se_types : sequence of SeType
    edge_years : int
        Years dropped at each end by ``drop_edge_years``.
    min_clusters : int
        Fewest clusters a specification's sample may have (else a clear error).
    n_permutations : int
        Permutations of the treatment paths shared by every specification.
    strata : sequence of str
        Columns within whose levels the cluster paths are permuted (e.g. ``region``).
    level : float
        Confidence level of the intervals; ``1 - level`` is the significance level of the
        joint test's count of significant specifications.
    seed : int
        Seed of the permutations.
    max_specifications : int
        Cap on the number of specifications.
    """

    outcome: str = "SCA"
    treatment: str = "GOV"
    index_methods: Sequence[str] = ("entropy", "pca", "zscore")
    winsorize: Sequence[bool] = (True, False)
    control_sets: Mapping[str, Sequence[str]] = field(
        default_factory=lambda: {"none": (), "baseline": ("ln_employment", "ln_firms", "ln_gdp_pc")}
    )
    fixed_effects: Sequence[str] = ("entity_year", "entity_region_year")
    samples: Sequence[str] = ("full", "drop_edge_years", "balanced")
    se_types: Sequence[str] = ("cluster_entity", "cluster_province")
    edge_years: int = 1
    min_clusters: int = 20
    n_permutations: int = 500
    strata: Sequence[str] = ("region",)
    level: float = 0.95
    seed: int = 20261129
    max_specifications: int = 1000

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        k = "speccurve."
        set_(self, "index_methods", _distinct(self.index_methods, k + "index_methods"))
        for method in self.index_methods:
            _check_literal(method, IndexMethod, k + "index_methods")
        set_(self, "winsorize", _distinct([bool(w) for w in self.winsorize], k + "winsorize"))
        if not isinstance(self.control_sets, Mapping) or not self.control_sets:
            raise ConfigError(
                f"config key {k}control_sets must name at least one set of controls, e.g. "
                "{none: [], baseline: [ln_employment, ln_firms]}."
            )
        sets = {}
        for name, controls in self.control_sets.items():
            controls = (controls,) if isinstance(controls, str) else tuple(controls or ())
            _distinct(controls or ("-",), f"{k}control_sets.{name}")
            sets[str(name)] = controls
        set_(self, "control_sets", sets)
        set_(self, "fixed_effects", _distinct(self.fixed_effects, k + "fixed_effects"))
        for fe in self.fixed_effects:
            _check_literal(fe, FixedEffects, k + "fixed_effects")
        set_(self, "samples", _distinct([str(s) for s in self.samples], k + "samples"))
        for sample in self.samples:
            _check_sample(sample, k + "samples")
        set_(self, "se_types", _distinct(self.se_types, k + "se_types"))
        for se in self.se_types:
            _check_literal(se, SeType, k + "se_types")
        set_(self, "strata", tuple(self.strata or ()))
        for key, value, low in (
            ("edge_years", self.edge_years, 1),
            ("min_clusters", self.min_clusters, 2),
            ("n_permutations", self.n_permutations, 1),
            ("max_specifications", self.max_specifications, 1),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ConfigError(f"config key {k}{key}={value!r} must be an integer >= {low}.")
        if not (isinstance(self.level, float | int) and 0.0 < float(self.level) < 1.0):
            raise ConfigError(f"config key {k}level={self.level!r} must lie in (0, 1), e.g. 0.95.")

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> CurveDimensions:
        """Build from the ``speccurve:`` section of the configuration (defaults filled in)."""
        known = {f for f in cls.__dataclass_fields__}
        renamed = {"permutations": "n_permutations"}
        values = {}
        for key, value in section.items():
            name = renamed.get(key, key)
            if name in known:
                values[name] = value
        return cls(**values)

    @property
    def variant_names(self) -> tuple[str, ...]:
        """Names of the data variants: ``<index method>_<winsorised|raw>``."""
        return tuple(
            variant_name(method, winsorize)
            for method in self.index_methods
            for winsorize in self.winsorize
        )

    @property
    def sizes(self) -> dict[str, int]:
        """Number of options of each dimension, by config key."""
        return {
            "index_methods": len(self.index_methods),
            "winsorize": len(self.winsorize),
            "control_sets": len(self.control_sets),
            "fixed_effects": len(self.fixed_effects),
            "samples": len(self.samples),
            "se_types": len(self.se_types),
        }

    @property
    def n_specifications(self) -> int:
        """The product of the dimensions' sizes."""
        return math.prod(self.sizes.values())


def variant_name(method: str, winsorize: bool) -> str:
    """Name of a data variant, e.g. ``entropy_winsorised``."""
    return f"{method}_{'winsorised' if winsorize else 'raw'}"


@dataclass(frozen=True, kw_only=True)
class Specification:
    """One specification of the curve: one option of every dimension.

    ``name`` is a file-name-safe identifier (``s0001``...), stable for a given configuration:
    the specifications are enumerated in the order of the configured options.
    """

    name: str
    index_method: str
    winsorize: bool
    control_set: str
    controls: tuple[str, ...]
    fixed_effects: str
    sample: str
    se_type: str

    @property
    def variant(self) -> str:
        """The data variant the specification reads."""
        return variant_name(self.index_method, self.winsorize)

    def choices(self) -> dict[str, str]:
        """The option of each dimension, as text, by dimension name."""
        return {
            "index_method": self.index_method,
            "winsorize": "on" if self.winsorize else "off",
            "control_set": self.control_set,
            "fixed_effects": self.fixed_effects,
            "sample": self.sample,
            "se_type": self.se_type,
        }

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able record of this object."""
        return {
            "schema_version": SCHEMA_VERSION,
            "kind": "speccurve_specification",
            "name": self.name,
            "index_method": self.index_method,
            "winsorize": self.winsorize,
            "control_set": self.control_set,
            "controls": list(self.controls),
            "fixed_effects": self.fixed_effects,
            "sample": self.sample,
            "se_type": self.se_type,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Specification:
        """Rebuild from :meth:`to_dict`, checking its kind and schema version."""
        _check_record(d, "speccurve_specification")
        return cls(
            name=d["name"],
            index_method=d["index_method"],
            winsorize=bool(d["winsorize"]),
            control_set=d["control_set"],
            controls=tuple(d["controls"]),
            fixed_effects=d["fixed_effects"],
            sample=d["sample"],
            se_type=d["se_type"],
        )


def _check_record(d: Mapping[str, Any], kind: str) -> None:
    if d.get("kind") != kind:
        raise ValueError(f"expected a record of kind {kind!r}, got {d.get('kind')!r}")
    if d.get("schema_version") != SCHEMA_VERSION:
        raise ValueError(
            f"{kind} record schema_version {d.get('schema_version')!r} is not supported "
            f"(expected {SCHEMA_VERSION}); rerun `snakemake speccurve` to rebuild it"
        )


def check_specification_count(dimensions: CurveDimensions) -> int:
    """Return the number of specifications, or raise if it exceeds the cap.

    Raises
    ------
    ConfigError
        Saying how many specifications the dimensions multiply to, the size of each
        dimension, and which dimensions to narrow (largest first) to get under the cap.
    """
    total = dimensions.n_specifications
    cap = dimensions.max_specifications
    if total <= cap:
        return total
    sizes = dimensions.sizes
    product = " x ".join(f"{n} {key}" for key, n in sizes.items())
    largest = sorted(sizes.items(), key=lambda item: -item[1])
    hints = []
    for key, n in largest:
        if n > 1:
            without = total // n
            hints.append(
                f"keeping one option of speccurve.{key} gives {without}"
                if without <= cap
                else f"narrowing speccurve.{key} ({n} options) divides it by up to {n}"
            )
    raise ConfigError(
        f"the specification curve would have {total} specifications ({product}), more than "
        f"speccurve.max_specifications = {cap}. Narrow the dimensions in config/config.yaml, "
        f"section speccurve: {'; '.join(hints[:3])}; or raise speccurve.max_specifications "
        "if the cluster can take that many jobs."
    )


def enumerate_specifications(dimensions: CurveDimensions) -> tuple[Specification, ...]:
    """Every specification of the curve, after :func:`check_specification_count`."""
    check_specification_count(dimensions)
    crossed = itertools.product(
        dimensions.index_methods,
        dimensions.winsorize,
        dimensions.control_sets.items(),
        dimensions.fixed_effects,
        dimensions.samples,
        dimensions.se_types,
    )
    width = max(4, len(str(dimensions.n_specifications)))
    return tuple(
        Specification(
            name=f"s{i + 1:0{width}d}",
            index_method=method,
            winsorize=winsorize,
            control_set=set_name,
            controls=tuple(controls),
            fixed_effects=fe,
            sample=sample,
            se_type=se,
        )
        for i, (method, winsorize, (set_name, controls), fe, sample, se) in enumerate(crossed)
    )


def specification_table(specifications: Sequence[Specification]) -> dict[str, dict[str, Any]]:
    """Name -> specification record, the plan the workflow and every job share."""
    return {s.name: s.to_dict() for s in specifications}


def dimensions_from_slice(config_slice: Mapping[str, Any]) -> CurveDimensions:
    """The curve's dimensions from a rule's configuration slice (its ``speccurve`` section).

    Reads the slice record directly (``govcluster.workflow_config`` would import pandas, which
    a per-specification job does not need).
    """
    if config_slice.get("kind") != "config_slice" or "speccurve" not in config_slice.get(
        "values", {}
    ):
        raise ConfigError(
            "the rule's config param is not a configuration slice with a speccurve section; "
            "declare params: config=rule_config(<rule>) and list 'speccurve' in its keys."
        )
    return CurveDimensions.from_config(config_slice["values"]["speccurve"])


class CurvePlan:
    """The configured curve, enumerated on first use (the workflow's view of it).

    Enumerating lazily keeps a bad ``speccurve`` section (over the cap, an unknown option)
    from stopping workflows that do not ask for the curve; asking for it raises the
    :class:`~govcluster.errors.ConfigError` before any job runs.

    Parameters
    ----------
    section : mapping
        The ``speccurve:`` section of the configuration.
    """

    def __init__(self, section: Mapping[str, Any]) -> None:
        self._section = dict(section)
        self._specifications: dict[str, Specification] | None = None

    @property
    def specifications(self) -> dict[str, Specification]:
        """Name -> specification."""
        if self._specifications is None:
            dimensions = CurveDimensions.from_config(self._section)
            self._specifications = {s.name: s for s in enumerate_specifications(dimensions)}
        return self._specifications

    def variant_file(self, folder: str, spec: str) -> str:
        """The data variant file a specification reads."""
        return f"{folder}/variants/{self.specifications[spec].variant}.npz"

    def estimate_files(self, folder: str) -> list[str]:
        """The record file of every specification."""
        return [f"{folder}/specifications/{name}.json" for name in self.specifications]
