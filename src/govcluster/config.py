"""The validated configuration, as frozen dataclasses.

The configuration file (``config/config.yaml``) is checked once against the JSON Schema in
``workflow/schemas/config.schema.yaml`` (which also fills in defaults) and then turned into the
dataclasses below. Workflow scripts and tests build from the same objects.
"""

from __future__ import annotations

import copy
import difflib
import functools
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

    treatment: str | None
    mediators: tuple[str, ...]
    outcome: str | None
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


#: The C (libyaml) loader when PyYAML was built with it: the same documents, ten times faster.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(source) -> Any:
    """Parse one YAML document, from a string or an open text file, with safe types only."""
    return yaml.load(source, Loader=YAML_LOADER)


@functools.lru_cache(maxsize=2)
def _parsed_schema(path: str, modified_ns: int) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        return read_yaml(handle)


def load_schema() -> dict[str, Any]:
    """Return the JSON Schema of the configuration (a fresh copy the caller may change).

    The file is parsed once per process and again only when it changes on disk: every rule
    and every test that builds a configuration validates it.
    """
    return _copy(_parsed_schema(str(SCHEMA_PATH), os.stat(SCHEMA_PATH).st_mtime_ns))


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

    Cross-references (indicators, controls, roles, models, mediation, DiD and case study
    naming known variables) are checked here, since JSON Schema cannot express them. Every
    variable such an entry names is carried into the analysis panel: it is added to
    ``passthrough`` (see :func:`carried_variables`), so that it need not be listed twice.
    """
    validated = validate_config_dict(_copy(dict(config)))
    validated["passthrough"] = carried_variables(validated)
    project = assemble_config(validated)
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
                    "which is not a key of `variables`" + _nearest(indicator, list(known))
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
                "which is not a key of `variables`" + _nearest(control.variable, list(known))
            )
    for name in project.passthrough:
        if name not in known and name not in project.categories:
            problems.append(f"passthrough names '{name}', which is not a key of `variables`")
    problems.extend(undefined_references(project))
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
        undefined = any("which is not " in problem for problem in problems)
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


@dataclass(frozen=True)
class ConfigReference:
    """A name that one entry of the configuration refers to.

    Attributes
    ----------
    path : str
        Key path of the entry in the configuration (``models.baseline.fe.regressors[2]``).
    name : str
        The name it gives.
    accepts : {"analysis", "column"}
        ``analysis``: a construct, control or variable; ``column``: also a data column of the
        panel (cluster_id, year, province, region, ...), as a clustering or grouping variable.
    """

    path: str
    name: str
    accepts: Literal["analysis", "column"]


#: Fields of a model entry naming analysis columns (a name or a list of names).
_MODEL_NAME_FIELDS = ("outcome", "treatment", "regressors", "controls", "endogenous", "instruments")
#: Fields of a model entry naming a data column (clustering, groups).
_MODEL_COLUMN_FIELDS = ("by", "cluster")


def _listed(path: str, value: object, accepts: str) -> list[ConfigReference]:
    """References of a name or a list of names at ``path``."""
    if isinstance(value, str):
        return [ConfigReference(path, value, accepts)]
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [
            ConfigReference(f"{path}[{position}]", str(name), accepts)
            for position, name in enumerate(value)
            if isinstance(name, str)
        ]
    return []


def _model_entry_references(path: str, entry: object) -> list[ConfigReference]:
    if not isinstance(entry, Mapping):
        return []
    references = []
    for key in _MODEL_NAME_FIELDS:
        references += _listed(f"{path}.{key}", entry.get(key), "analysis")
    for key in _MODEL_COLUMN_FIELDS:
        references += _listed(f"{path}.{key}", entry.get(key), "column")
    absorb = entry.get("absorb")
    if isinstance(absorb, Sequence) and not isinstance(absorb, str):
        for position, term in enumerate(absorb):
            if isinstance(term, str):
                references += [
                    ConfigReference(f"{path}.absorb[{position}]", part.strip(), "column")
                    for part in term.split("^")
                ]
    lags = entry.get("lags")
    if isinstance(lags, Mapping):
        references += [
            ConfigReference(f"{path}.lags.{name}", str(name), "analysis") for name in lags
        ]
    return references


def collect_references(config: Mapping[str, Any]) -> list[ConfigReference]:
    """Every name that roles, models, mediation, DiD and the case study refer to.

    Sections that are switched off (``did.enabled``, ``case_study.enabled``,
    ``mediation.enabled``, ``mediation.moderated.enabled``) are skipped. Constructs' indicators
    and controls' variables are checked on their own (:func:`_check_references`).

    Parameters
    ----------
    config : mapping
        A schema-validated configuration dict (defaults filled in).

    Returns
    -------
    list of ConfigReference
    """
    references: list[ConfigReference] = []
    roles = config.get("roles") or {}
    for key in ("treatment", "outcome"):
        if roles.get(key) is not None:
            references += _listed(f"roles.{key}", roles[key], "analysis")
    for key in ("mediators", "instruments"):
        references += _listed(f"roles.{key}", roles.get(key) or [], "analysis")
    models = config.get("models") or {}
    references += _listed("models.controls", models.get("controls") or [], "analysis")
    for section in ("baseline", "heterogeneity", "iv"):
        for name, entry in (models.get(section) or {}).items():
            references += _model_entry_references(f"models.{section}.{name}", entry)
    for section in ("specification_tests", "local_projections"):
        references += _model_entry_references(f"models.{section}", models.get(section))
    mediation = config.get("mediation") or {}
    if mediation.get("enabled"):
        references += _listed("mediation.controls", mediation.get("controls") or [], "analysis")
        moderated = mediation.get("moderated") or {}
        if moderated.get("enabled") and moderated.get("moderator"):
            references += _listed("mediation.moderated.moderator", moderated["moderator"], "column")
    did = config.get("did") or {}
    if did.get("enabled"):
        references += _listed("did.outcomes", did.get("outcomes") or [], "analysis")
        for key in ("treatment", "intensity"):
            if did.get(key) is not None:
                references += _listed(f"did.{key}", did[key], "analysis")
        references += _listed("did.controls", did.get("controls") or [], "analysis")
        if did.get("cluster") is not None:
            references += _listed("did.cluster", did["cluster"], "column")
        randomization = did.get("randomization") or {}
        if randomization.get("enabled"):
            references += _listed(
                "did.randomization.strata", randomization.get("strata") or [], "column"
            )
    case = config.get("case_study") or {}
    if case.get("enabled"):
        for key in ("outcome", "designation_column"):
            if case.get(key) is not None:
                references += _listed(f"case_study.{key}", case[key], "column")
        covariates = (case.get("predictors") or {}).get("covariates") or []
        references += _listed("case_study.predictors.covariates", covariates, "analysis")
    return references


def carried_variables(config: Mapping[str, Any]) -> list[str]:
    """Variables carried into the analysis panel unchanged (the resolved ``passthrough``).

    Those listed under the deprecated ``passthrough`` key, in their order, then every other
    variable that a role, model, mediation, DiD or case-study entry names (see
    :func:`collect_references`) and that is not also the name of a construct or control, in
    the order of ``variables``.
    """
    variables = {
        name: spec
        for name, spec in (config.get("variables") or {}).items()
        if (spec or {}).get("kind") != "category"  # categories are always carried, as such
    }
    listed = list(config.get("passthrough") or [])
    shadowed = {*(config.get("constructs") or {}), *(config.get("controls") or {})}
    named = {reference.name for reference in collect_references(config)}
    referenced = [
        name for name in variables if name in named and name not in shadowed and name not in listed
    ]
    return [*listed, *referenced]


def data_column_names(project: ProjectConfig) -> set[str]:
    """Names of the panel's data columns: canonical names and the file's entity and time."""
    from govcluster.columns import DESCRIPTIVE_ROLES, ENTITY, TIME

    names = {ENTITY, TIME, *DESCRIPTIVE_ROLES.values()}
    names.update(name for name in (project.data.entity, project.data.time) if name)
    return names


def _takes_file_names(path: str) -> bool:
    """Whether the entry at ``path`` understands the file's own entity and time names."""
    return path.startswith("models.") and (".absorb[" in path or path.endswith(".cluster"))


def undefined_references(project: ProjectConfig) -> list[str]:
    """Names that roles, models, mediation, DiD or the case study use but nobody defines.

    One line per name: its key path, the name and the nearest defined name.
    """
    analysis = [*project.constructs, *project.controls, *project.variables, *project.categories]
    columns = [*analysis, *sorted(data_column_names(project))]
    from govcluster.columns import ENTITY, TIME

    file_names = {project.data.entity, project.data.time} - {ENTITY, TIME, None}
    problems = []
    for reference in collect_references(project.raw):
        known = analysis if reference.accepts == "analysis" else columns
        if reference.name in file_names and not _takes_file_names(reference.path):
            canonical = ENTITY if reference.name == project.data.entity else TIME
            problems.append(
                f"{reference.path} names '{reference.name}', the data file's own "
                f"{'entity' if canonical == ENTITY else 'time'} column: here write "
                f"'{canonical}', the pipeline's name for it (the file's own name is understood "
                "only in a panel model's absorb and cluster)"
            )
            continue
        if reference.name in known:
            continue
        what = (
            "a construct, control or variable"
            if reference.accepts == "analysis"
            else "a construct, control, variable or data column"
        )
        problems.append(
            f"{reference.path} names '{reference.name}', which is not {what} of this "
            "configuration" + _nearest(reference.name, known)
        )
    problems.extend(_missing_role_defaults(project))
    return problems


def _is_outcome_reference(path: str) -> bool:
    """Whether a reference names a variable that a linear model takes as its outcome."""
    return (
        path.endswith(".outcome")
        or path.startswith("roles.mediators")
        or path.startswith("did.outcomes")
    ) and not path.startswith("case_study.")


def binary_variable_names(project: ProjectConfig) -> set[str]:
    """Variables of kind ``binary`` and the controls that are one of them untransformed."""
    binary = {name for name, spec in project.variables.items() if spec.kind == "binary"}
    binary |= {
        name
        for name, spec in project.controls.items()
        if spec.transform == "none" and spec.variable in binary
    }
    return binary


def binary_outcome_warnings(project: ProjectConfig) -> list[str]:
    """One line per binary (0/1) outcome or mediator that a linear model will fit.

    The panel, mediation and DiD estimators are linear, so a 0/1 outcome (a variable of kind
    ``binary``, or a control that is one untransformed) is fitted as a linear probability
    model. Until nonlinear models exist this is a warning, printed when the workflow loads the
    configuration and written into the model's table notes, not an error.
    """
    binary = binary_variable_names(project)
    references = list(collect_references(project.raw))
    roles_outcome = project.roles.outcome
    lines = []
    for reference in references:
        if reference.name not in binary or not _is_outcome_reference(reference.path):
            continue
        if reference.path.startswith("roles.mediators") and not (project.mediation or {}).get(
            "enabled", True
        ):
            continue
        lines.append(
            f"{reference.path} names '{reference.name}', a binary (0/1) variable, as the outcome "
            "of a linear model: it is fitted as a linear probability model (coefficients are "
            "changes in the probability; fitted values may leave [0, 1])"
        )
    if roles_outcome in binary and not any(line.startswith("roles.outcome") for line in lines):
        lines.append(f"roles.outcome names '{roles_outcome}', a binary (0/1) variable")
    return lines


def _missing_role_defaults(project: ProjectConfig) -> list[str]:
    """Model entries that rely on a role the configuration does not set."""
    models = project.models or {}
    problems = []
    needs = {
        "baseline": ("outcome", "regressors"),
        "heterogeneity": ("outcome", "regressors"),
        "iv": ("outcome", "endogenous"),
    }
    role_of = {"outcome": "outcome", "regressors": "treatment", "endogenous": "treatment"}
    entries = [
        (f"models.{section}.{name}", fields, entry)
        for section, fields in needs.items()
        for name, entry in (models.get(section) or {}).items()
    ]
    for section in ("specification_tests", "local_projections"):
        if isinstance(models.get(section), Mapping):
            fields = ("outcome", "treatment" if section == "local_projections" else "regressors")
            entries.append((f"models.{section}", fields, models[section]))
    for where, fields, entry in entries:
        entry = entry or {}
        for key in fields:
            role = role_of.get(key, key)
            if key not in entry and getattr(project.roles, role) is None:
                problems.append(
                    f"{where} sets no {key} and roles.{role} is not set: set {where}.{key} "
                    f"or roles.{role}"
                )
    return problems


def _reads_aggregate_output(project: ProjectConfig) -> bool:
    """data.path is the output of the enabled aggregate stage (firms -> cluster panel)."""
    aggregate = project.raw.get("aggregate") or {}
    return bool(aggregate.get("enabled")) and str(aggregate.get("output")) == str(project.data.path)


def _reads_firm_panel(project: ProjectConfig) -> bool:
    """data.path is the simulated firm panel (firm_panel.output, govcluster.firm_outcomes)."""
    firm_panel = project.raw.get("firm_panel") or {}
    output = str(firm_panel.get("output"))
    return bool(firm_panel.get("enabled")) and output == str(project.data.path)


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
            raw = read_yaml(handle) or {}
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
    # baseline entries also take estimator hdfe (govcluster.panel.hdfe); the specification
    # tests, local projections and heterogeneity entries do not
    baseline = {**panel, "estimator": spec.PanelEstimator}
    return {"baseline": baseline, "heterogeneity": panel, "iv": iv, "other": panel}


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
            entries.append((f"models.{section}", "other", models[section]))
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
    if _reads_firm_panel(project):  # written by rule firm_panel
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

    files = set_config_files(config_files)
    if config.get("passthrough"):
        print(
            f"govcluster: `passthrough` in {files} is deprecated and no longer needed: every "
            "variable that a role, model, mediation, DiD or case-study entry names is carried "
            "into the analysis panel. The names listed are still carried; remove the key.",
            file=sys.stderr,
        )
    try:
        validate_config_dict(config)
        project = build_config(config)
        check_data_file(project)
    except GovclusterError as error:
        print(f"\ngovcluster: the run did not start.\n{error}\n", file=sys.stderr)
        raise SystemExit(1) from None
    for line in binary_outcome_warnings(project):
        print(f"govcluster: warning: {line} ({files}).", file=sys.stderr)
    return project
