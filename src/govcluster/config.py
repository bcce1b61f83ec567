"""The validated configuration, as frozen dataclasses.

The configuration file (``config/config.yaml``) is checked once against the JSON Schema in
``workflow/schemas/config.schema.yaml`` (which also fills in defaults) and then turned into the
dataclasses below. Workflow scripts and tests build from the same objects.
"""

from __future__ import annotations

import copy
import difflib
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import jsonschema
import yaml

from govcluster.errors import ConfigError

VariableKind = Literal["money", "count", "share", "amount", "score", "binary", "real", "category"]
TimeKind = Literal["year", "period", "quarter", "month"]
Transform = Literal["none", "log", "log1p", "age"]
IndexMethod = Literal["entropy", "pca", "zscore"]

PROJECT_ROOT = Path(__file__).resolve().parents[2]

#: The configuration file of a default run.
CONFIG_FILE = "config/config.yaml"

#: Environment variable through which the workflow tells every step which configuration
#: file(s) it runs with, so that messages name the file actually in use.
CONFIG_FILE_VARIABLE = "GOVCLUSTER_CONFIG_FILE"
SIMULATED_DATA_PATH = Path("data/raw/clusters.csv")
SCHEMA_PATH = PROJECT_ROOT / "workflow" / "schemas" / "config.schema.yaml"

#: Default bounds implied by each kind of variable (lower, upper); None is unbounded.
KIND_BOUNDS: dict[str, tuple[float | None, float | None]] = {
    "money": (0.0, None),
    "count": (0.0, None),
    "share": (0.0, 100.0),
    "amount": (0.0, None),
    "score": (None, None),
    "binary": (0.0, 1.0),
    "real": (None, None),
    "category": (None, None),
}


@dataclass(frozen=True)
class Label:
    """A label in English and Chinese."""

    en: str
    zh: str

    def get(self, language: str) -> str:
        """Return the label in ``language`` ("en" or "zh")."""
        return self.zh if language == "zh" else self.en


@dataclass(frozen=True)
class EntityLabel(Label):
    """What one entity is called (``data.entity_label``), with its English plural."""

    plural: str | None = None


@dataclass(frozen=True)
class VariableSpec:
    """One numeric column of the raw data.

    Attributes
    ----------
    name : str
        Name used inside the pipeline.
    column : str
        Column name in the user's file (Chinese names allowed).
    kind : VariableKind
        money (totals in 万元, converted with the unit column), count, share (percent),
        amount (non-negative level), score, binary (0/1), real, or category (text or
        integer codes: indicators of its levels, or absorbed as fixed effects).
    minimum, maximum : float or None
        Allowed range; defaults come from the kind (see ``KIND_BOUNDS``).
    label : Label
    base : str, float or None
        Base level of a category variable (default: the first level in sorted order).
    """

    name: str
    column: str
    kind: VariableKind
    minimum: float | None
    maximum: float | None
    label: Label
    base: str | float | None = None


@dataclass(frozen=True)
class ConstructSpec:
    """A latent construct measured by several indicators, each with a direction (+1/-1)."""

    name: str
    indicators: tuple[tuple[str, int], ...]
    label: Label

    @property
    def indicator_names(self) -> tuple[str, ...]:
        """Names of the indicators, in configured order."""
        return tuple(name for name, _ in self.indicators)

    @property
    def directions(self) -> dict[str, int]:
        """Indicator name -> direction (+1 or -1)."""
        return dict(self.indicators)


@dataclass(frozen=True)
class ControlSpec:
    """A control variable of the analysis panel, derived from one raw variable."""

    name: str
    variable: str
    transform: Transform
    label: Label


@dataclass(frozen=True)
class DataSpec:
    """Where the raw data are and which columns play which role."""

    path: Path
    format: Literal["auto", "csv", "xlsx", "dta", "parquet"]
    encoding: str
    sheet: str | int
    entity: str | None
    time: str | None
    name: str | None
    province: str | None
    industry: str | None
    region: str | None
    money_unit: str | None
    money_units: Mapping[str, float]
    package: Mapping[str, str] | None = None
    time_kind: TimeKind = "year"
    entity_label: EntityLabel | None = None

    @property
    def is_cross_section(self) -> bool:
        """Whether the data have no time column (one period)."""
        return self.time is None

    @property
    def descriptive_columns(self) -> dict[str, str]:
        """Role -> column for the optional descriptive columns that are configured."""
        roles = {
            "name": self.name,
            "province": self.province,
            "industry": self.industry,
            "region": self.region,
            "money_unit": self.money_unit,
        }
        return {role: column for role, column in roles.items() if column}


@dataclass(frozen=True)
class SimulateSpec:
    """The built-in simulated cluster panel: whether to generate it, its size and parameters."""

    enabled: bool
    n_clusters: int
    first_year: int
    last_year: int
    params: Mapping[str, Any]


@dataclass(frozen=True)
class ScaleTypoSpec:
    """Correction of values off by a power-of-ten typo relative to the cluster's own median."""

    enabled: bool
    factor: float
    tolerance: float
    min_obs: int


@dataclass(frozen=True)
class InterpolateSpec:
    """Filling of missing values within a cluster over the years."""

    max_gap: int
    edges: Literal["nearest", "keep_missing"]


@dataclass(frozen=True)
class WinsorizeSpec:
    """Winsorisation of indicators and controls at pooled percentiles (shares)."""

    enabled: bool
    lower: float
    upper: float


@dataclass(frozen=True)
class DeflateSpec:
    """Deflation of money variables: real = nominal * base / price_index."""

    enabled: bool
    price_index: str | None
    base: float


@dataclass(frozen=True)
class CleanSpec:
    """The cleaning steps and their settings."""

    drop_exact_duplicates: bool
    scale_typos: ScaleTypoSpec
    interpolate: InterpolateSpec
    winsorize: WinsorizeSpec
    deflate: DeflateSpec
    drop_incomplete: bool


@dataclass(frozen=True)
class IndexSpec:
    """How composite indices are built: the index method and whether to z-score them."""

    method: IndexMethod
    standardize: bool


@dataclass(frozen=True)
class RoleSpec:
    """Which constructs and variables are the treatment, mediators, outcome and instruments."""

    treatment: str
    mediators: tuple[str, ...]
    outcome: str
    instruments: tuple[str, ...]


@dataclass(frozen=True)
class ProjectConfig:
    """The whole validated configuration."""

    seed: int
    simulate: SimulateSpec
    data: DataSpec
    variables: Mapping[str, VariableSpec]
    constructs: Mapping[str, ConstructSpec]
    controls: Mapping[str, ControlSpec]
    passthrough: tuple[str, ...]
    roles: RoleSpec
    clean: CleanSpec
    indices: IndexSpec
    language: Literal["en", "zh"]
    models: Mapping[str, Any] = field(default_factory=dict)
    mediation: Mapping[str, Any] = field(default_factory=dict)
    output_root: str = "."
    raw: Mapping[str, Any] = field(repr=False, compare=False, default_factory=dict)
    #: Variables of kind ``category`` (text or integer codes), kept apart from the numeric
    #: ``variables``: carried into the analysis panel as they are, with their base level first.
    categories: Mapping[str, VariableSpec] = field(default_factory=dict)

    @property
    def indicator_names(self) -> tuple[str, ...]:
        """All indicator variables of all constructs, in construct order."""
        return tuple(n for c in self.constructs.values() for n in c.indicator_names)

    @property
    def money_variables(self) -> tuple[str, ...]:
        """Names of the variables of kind "money", in configured order."""
        return tuple(n for n, v in self.variables.items() if v.kind == "money")

    def label(self, name: str) -> str:
        """Label of a construct, control or variable in the configured language."""
        for table in (self.constructs, self.controls, self.variables):
            if name in table:
                return table[name].label.get(self.language)
        return name


# --------------------------------------------------------------------------- loading


def load_schema() -> dict[str, Any]:
    """Return the JSON Schema of the configuration."""
    with open(SCHEMA_PATH, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _extend_with_defaults(validator_class):
    """A jsonschema validator that fills in ``default`` values while validating."""
    validate_properties = validator_class.VALIDATORS["properties"]

    def set_defaults(validator, properties, instance, schema):
        if isinstance(instance, dict):
            for key, subschema in properties.items():
                if "default" in subschema and key not in instance:
                    instance[key] = _copy(subschema["default"])
        yield from validate_properties(validator, properties, instance, schema)

    return jsonschema.validators.extend(validator_class, {"properties": set_defaults})


def _copy(value):
    return copy.deepcopy(value)


def config_file_in_use() -> str:
    """The configuration file(s) of the current run, as the user named them.

    The workflow records them (see :func:`set_config_files`); outside a run this is
    :data:`CONFIG_FILE`.
    """
    return os.environ.get(CONFIG_FILE_VARIABLE) or CONFIG_FILE


def set_config_files(files: Sequence[str | Path]) -> str:
    """Record the configuration file(s) of this run for every message; return their text.

    Several files (a base file and overrides) are joined with `` + ``.
    """
    named = [
        str(Path(f).relative_to(Path.cwd()))
        if Path(f).is_absolute() and Path(f).is_relative_to(Path.cwd())
        else str(f)
        for f in files
    ]
    text = " + ".join(dict.fromkeys(named)) or CONFIG_FILE
    os.environ[CONFIG_FILE_VARIABLE] = text
    return text


def _schema_at(schema: Mapping[str, Any], path: Sequence[Any]) -> Mapping[str, Any]:
    """The sub-schema describing the object at ``path`` (properties only)."""
    node = schema
    for key in path:
        properties = node.get("properties", {})
        if key in properties:
            node = properties[key]
        elif isinstance(node.get("additionalProperties"), dict):
            node = node["additionalProperties"]
        else:
            return {}
    return node


def _short(value: object, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _nearest(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def describe_schema_error(error: jsonschema.ValidationError, schema: Mapping[str, Any]) -> str:
    """One line for one schema violation: the key path, what is wrong, the nearest valid key."""
    path = list(error.absolute_path)
    where = ".".join(str(p) for p in path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = sorted(_schema_at(schema, path).get("properties", {}))
        unexpected = [key for key in error.instance if key not in allowed]
        lines = []
        for key in unexpected:
            full = f"{where}.{key}" if where else str(key)
            lines.append(
                f"{full}: not a configuration key; allowed keys "
                f"{'under ' + where if where else 'at the top level'}: {', '.join(allowed)}"
                + _nearest(str(key), allowed)
            )
        return "\n  - ".join(lines)
    where = where or "(top level)"
    if error.validator == "enum":
        options = [str(o) for o in error.validator_value]
        return (
            f"{where}: {_short(error.instance)} is not allowed; use one of "
            f"{', '.join(options)}" + _nearest(str(error.instance), options)
        )
    if error.validator == "required":
        return f"{where}: {error.message}"
    if error.validator in {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}:
        bound = {
            "minimum": "at least",
            "maximum": "at most",
            "exclusiveMinimum": "more than",
            "exclusiveMaximum": "less than",
        }
        return (
            f"{where}: {_short(error.instance)} is out of range; it must be "
            f"{bound[error.validator]} {error.validator_value}"
        )
    if error.validator == "type":
        expected = error.validator_value
        expected = " or ".join(expected) if isinstance(expected, list) else expected
        return f"{where}: {_short(error.instance)} is not of type {expected}"
    return f"{where}: {_short(error.message, 200)}"


def validate_config_dict(config: dict[str, Any]) -> dict[str, Any]:
    """Validate ``config`` against the schema, filling defaults in place; return it.

    Raises
    ------
    ConfigError
        One line per problem: the key path, what is wrong and, for a misspelled key or value,
        the allowed keys or values and the nearest match.
    """
    schema = load_schema()
    validator = _extend_with_defaults(jsonschema.Draft202012Validator)(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        lines = list(dict.fromkeys(describe_schema_error(error, schema) for error in errors))
        raise ConfigError(
            f"The configuration {config_file_in_use()} is invalid:\n"
            + "\n".join(f"  - {line}" for line in lines)
            + "\n  config/README.md explains every key, its meaning and its default."
        )
    return config


def _label(raw: Mapping[str, Any] | None, fallback: str) -> Label:
    raw = raw or {}
    en = raw.get("en", fallback)
    return Label(en=en, zh=raw.get("zh", en))


def build_config(config: Mapping[str, Any]) -> ProjectConfig:
    """Turn a schema-validated configuration dict into a :class:`ProjectConfig`.

    Cross-references (indicators, controls, roles naming known variables) are checked here,
    since JSON Schema cannot express them.
    """
    project = assemble_config(validate_config_dict(_copy(dict(config))))
    _check_references(project)
    check_model_options(project.models)
    return project


def assemble_config(config: Mapping[str, Any]) -> ProjectConfig:
    """Build the dataclasses of an already validated configuration dict, without checks.

    :func:`build_config` validates first and checks cross-references afterwards;
    :func:`govcluster.workflow_config.project_from_slice` uses this directly on the part of
    the configuration one workflow rule reads.
    """
    variables = {}
    for name, raw in config["variables"].items():
        low, high = KIND_BOUNDS[raw["kind"]]
        variables[name] = VariableSpec(
            name=name,
            column=raw.get("column", name),
            kind=raw["kind"],
            minimum=raw.get("min", low),
            maximum=raw.get("max", high),
            label=_label(raw.get("label"), name),
            base=raw.get("base"),
        )
    categories = {name: spec for name, spec in variables.items() if spec.kind == "category"}
    variables = {name: spec for name, spec in variables.items() if spec.kind != "category"}
    constructs = {
        name: ConstructSpec(
            name=name,
            indicators=tuple((ind, int(d)) for ind, d in raw["indicators"].items()),
            label=_label(raw.get("label"), name),
        )
        for name, raw in config["constructs"].items()
    }
    controls = {
        name: ControlSpec(
            name=name,
            variable=raw["variable"],
            transform=raw.get("transform", "none"),
            label=_label(raw.get("label"), name),
        )
        for name, raw in config["controls"].items()
    }
    d = config["data"]
    data = DataSpec(
        path=Path(d["path"]),
        format=d["format"],
        encoding=d["encoding"],
        sheet=d["sheet"],
        entity=d["entity"],
        time=d["time"],
        name=d.get("name"),
        province=d.get("province"),
        industry=d.get("industry"),
        region=d.get("region"),
        money_unit=d.get("money_unit"),
        money_units=dict(d["money_units"]),
        package=dict(d["package"]) if d.get("package") else None,
        time_kind=d.get("time_kind", "year"),
        entity_label=(
            EntityLabel(
                en=d["entity_label"].get("en", "cluster"),
                zh=d["entity_label"].get("zh", "集群"),
                plural=d["entity_label"].get("en_plural"),
            )
            if d.get("entity_label")
            else None
        ),
    )
    s = config["simulate"]
    c = config["clean"]
    r = config["roles"]
    return ProjectConfig(
        seed=int(config["seed"]),
        simulate=SimulateSpec(
            enabled=s["enabled"],
            n_clusters=s["n_clusters"],
            first_year=s["first_year"],
            last_year=s["last_year"],
            params=dict(s["params"]),
        ),
        data=data,
        variables=variables,
        constructs=constructs,
        controls=controls,
        passthrough=tuple(config["passthrough"]),
        roles=RoleSpec(
            treatment=r["treatment"],
            mediators=tuple(r["mediators"]),
            outcome=r["outcome"],
            instruments=tuple(r["instruments"]),
        ),
        clean=CleanSpec(
            drop_exact_duplicates=c["drop_exact_duplicates"],
            scale_typos=ScaleTypoSpec(**c["scale_typos"]),
            interpolate=InterpolateSpec(**c["interpolate"]),
            winsorize=WinsorizeSpec(**c["winsorize"]),
            deflate=DeflateSpec(**c["deflate"]),
            drop_incomplete=c["drop_incomplete"],
        ),
        indices=IndexSpec(**config["indices"]),
        language=config["language"],
        models=config["models"],
        mediation=config["mediation"],
        output_root=config["output_root"],
        raw=config,
        categories=categories,
    )


def _check_references(project: ProjectConfig) -> None:
    problems = []
    known = set(project.variables)
    for construct in project.constructs.values():
        for indicator, direction in construct.indicators:
            if indicator not in known:
                problems.append(
                    f"constructs.{construct.name}.indicators names '{indicator}', "
                    "which is not a key of `variables`"
                )
            if direction not in (1, -1):
                problems.append(
                    f"constructs.{construct.name}.indicators.{indicator}: direction must be "
                    f"1 or -1, got {direction}"
                )
    for control in project.controls.values():
        if control.variable not in known:
            problems.append(
                f"controls.{control.name}.variable names '{control.variable}', "
                "which is not a key of `variables`"
            )
    for name in project.passthrough:
        if name not in known:
            problems.append(f"passthrough names '{name}', which is not a key of `variables`")
    for name in project.roles.instruments:
        if name not in known:
            problems.append(f"roles.instruments names '{name}', which is not a key of `variables`")
    analysis_columns = {
        *project.constructs,
        *project.controls,
        *project.passthrough,
        *project.categories,
    }
    for role, name in [("treatment", project.roles.treatment), ("outcome", project.roles.outcome)]:
        if name not in analysis_columns:
            problems.append(
                f"roles.{role} names '{name}', which is not a construct, control or passthrough "
                "variable"
            )
    for name in project.roles.mediators:
        if name not in analysis_columns:
            problems.append(
                f"roles.mediators names '{name}', which is not a construct, control or "
                "passthrough variable"
            )
    deflate = project.clean.deflate
    if deflate.enabled and deflate.price_index not in known:
        problems.append(
            f"clean.deflate.price_index names '{deflate.price_index}', which is not a key of "
            "`variables` (add it there, or set clean.deflate.enabled: false)"
        )
    if project.simulate.enabled and project.data.package is not None:
        problems.append("simulate.enabled and data.package are both set; choose one data source")
    if (
        project.simulate.enabled
        and project.data.path != SIMULATED_DATA_PATH
        and not _reads_aggregate_output(project)
    ):
        problems.append(
            f"simulate.enabled is true, so the data are simulated into {SIMULATED_DATA_PATH}, but "
            f"data.path is {project.data.path}: to analyse your own file set simulate.enabled: "
            "false"
        )
    if project.simulate.first_year > project.simulate.last_year:
        problems.append("simulate.first_year is after simulate.last_year")
    if problems:
        undefined = any("which is not a" in problem for problem in problems)
        fix = (
            "  fix: define each name that is not a key of `variables` there (with its `column` "
            "in the data file and its `kind`), or remove the reference; config/README.md "
            "explains every key.\n"
            if undefined
            else ""
        )
        raise ConfigError(
            f"The configuration {config_file_in_use()} refers to things it does not define:\n"
            + "\n".join(f"  - {p}" for p in problems)
            + "\n"
            + fix
        )


def _reads_aggregate_output(project: ProjectConfig) -> bool:
    """data.path is the output of the enabled aggregate stage (firms -> cluster panel)."""
    aggregate = project.raw.get("aggregate") or {}
    return bool(aggregate.get("enabled")) and str(aggregate.get("output")) == str(project.data.path)


def load_config(path: str | Path, overrides: Mapping[str, Any] | None = None) -> ProjectConfig:
    """Read, validate and build the configuration in ``path``.

    Parameters
    ----------
    path : str or Path
        A YAML configuration file.
    overrides : mapping, optional
        Top-level keys that replace those of the file (used by tests).
    """
    path = Path(path)
    try:
        with open(path, encoding="utf-8") as handle:
            raw = yaml.safe_load(handle) or {}
    except FileNotFoundError as exc:
        raise ConfigError(f"Configuration file not found: {path}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from exc
    if overrides:
        raw.update(overrides)
    try:
        return build_config(raw)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def _model_option_types() -> dict[str, dict[str, Any]]:
    """Per section of ``models``: option -> its ``Literal`` type (imported lazily)."""
    from govcluster.panel import spec

    panel = {
        "estimator": spec.Estimator,
        "cov_type": spec.PanelCovType,
        "mundlak_base": spec.MundlakBase,
        "sample": spec.LPSample,
        "outcome_form": spec.LPOutcome,
    }
    iv = {"estimator": spec.IVEstimator, "cov_type": spec.CovType}
    return {"baseline": panel, "heterogeneity": panel, "iv": iv}


def check_model_options(models: Mapping[str, Any]) -> None:
    """Raise when a model entry asks for an estimator or covariance that does not exist.

    The message names the configuration entry (``models.baseline.<name>.estimator``), the
    value, the allowed values and the nearest one.

    Raises
    ------
    ConfigError
    """
    from typing import get_args

    types = _model_option_types()
    entries: list[tuple[str, str, Mapping[str, Any]]] = []
    for section in ("baseline", "heterogeneity", "iv"):
        for name, entry in (models.get(section) or {}).items():
            entries.append((f"models.{section}.{name}", section, entry or {}))
    for section in ("specification_tests", "local_projections"):
        if isinstance(models.get(section), Mapping):
            entries.append((f"models.{section}", "baseline", models[section]))
    problems = []
    for where, section, entry in entries:
        for option, literal in types[section].items():
            if option in entry and entry[option] not in get_args(literal):
                allowed = [str(a) for a in get_args(literal)]
                problems.append(
                    f"{where}.{option}: {entry[option]!r} is not allowed; use one of "
                    f"{', '.join(allowed)}" + _nearest(str(entry[option]), allowed)
                )
    if problems:
        raise ConfigError(
            f"The configuration {config_file_in_use()} is invalid:\n"
            + "\n".join(f"  - {p}" for p in problems)
        )


def check_data_file(project: ProjectConfig) -> None:
    """Raise when ``data.path`` names a file that does not exist and no rule makes it.

    The simulated data and data exported from a package are made by the workflow; any other
    data file must be there before the run starts.

    Raises
    ------
    DataReadError
        Naming the path, the working directory and the fix.
    """
    from govcluster.errors import DataReadError
    from govcluster.io import missing_file_message

    if project.simulate.enabled or project.data.package is not None:
        return
    if not project.data.path.is_file():
        raise DataReadError(missing_file_message(project.data.path))


def build_workflow_config(
    config: dict[str, Any], *, config_files: Sequence[str | Path]
) -> ProjectConfig:
    """The workflow's configuration: validated (defaults filled in place), built, checked.

    Records the configuration file(s) in use for every later message. A configuration or
    data-file mistake prints one short message naming the file in use and exits with status 1
    (no stack frames).
    """
    from govcluster.errors import GovclusterError

    set_config_files(config_files)
    try:
        validate_config_dict(config)
        project = build_config(config)
        check_data_file(project)
    except GovclusterError as error:
        print(f"\ngovcluster: the run did not start.\n{error}\n", file=sys.stderr)
        raise SystemExit(1) from None
    return project
