"""The part of the configuration each workflow rule reads, and nothing more.

Snakemake reruns a job when its declared ``params`` change. Each rule therefore declares, as
its one ``config`` parameter, the slice of the configuration its script reads
(:func:`rule_config_slice`, called once per rule in ``workflow/rules/common.smk``), and its
script builds its objects from that slice only (:func:`project_from_slice`), never from the
whole ``snakemake.config``. Changing a key then reruns exactly the rules that read it (and,
through their outputs, the rules downstream of them); ``tests/test_rerun.py`` checks this for
every top-level section.

The slice is also what the job's provenance record stores as its parameters.

A script that reads a key outside its slice does not silently see a stale or default value:
the :class:`~govcluster.config.ProjectConfig` built from the slice raises
:class:`ConfigKeyNotInSlice` naming the key and the rule, so a missing entry in
:data:`RULE_CONFIG_KEYS` shows up at the first run of the rule.

Key paths are a top-level section (``"variables"``) or one level below it
(``"clean.drop_exact_duplicates"``, ``"models.controls"``).
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterator, Mapping
from typing import Any

from govcluster.config import (
    DeflateSpec,
    InterpolateSpec,
    ProjectConfig,
    ScaleTypoSpec,
    WinsorizeSpec,
    assemble_config,
)

SCHEMA_VERSION = 1
KIND = "config_slice"

#: Read by every rule: outputs, logs and provenance records are written under it.
COMMON_KEYS: tuple[str, ...] = ("output_root",)

#: Stands for the whole configuration (the ``provenance`` rule writes it out).
WHOLE_CONFIG = "*"

#: Rule name -> the configuration keys its script and the package functions it calls read.
#: Rules named ``render_<exhibit>`` share the entry ``render_*``.
RULE_CONFIG_KEYS: dict[str, tuple[str, ...]] = {
    # govcluster.simulate.simulate_cluster_panel
    "simulate": ("seed", "simulate"),
    # govcluster.datasets.load_packaged_dataset
    "export_packaged_data": ("data.package",),
    # govcluster.ingest.ingest_table and io.read_table: column names and file format
    "ingest": ("data", "variables"),
    # govcluster.quality.data_quality_report and govcluster.validate.validate_panel
    "validate": (
        "data",
        "variables",
        "constructs",
        "controls",
        "passthrough",
        "clean.drop_exact_duplicates",
        "clean.deflate",
        # the power-of-ten screen leaves the configured x100 typo rule to `clean`
        "clean.scale_typos",
    ),
    # govcluster.clean.clean_panel
    "clean": ("data", "variables", "constructs", "controls", "passthrough", "clean"),
    # govcluster.indices.build_analysis_panel
    "indices": ("data.path", "variables", "constructs", "controls", "passthrough", "indices"),
    # the analysis variables described: constructs, controls and passthrough variables
    "describe": ("constructs", "controls", "passthrough"),
    # govcluster.panel.plan.project_panel_jobs (inference: the wild cluster bootstrap)
    # (data: the user's names and words of the entity and the time, for records and messages)
    "estimate_panel": (
        "models",
        "roles",
        "inference.wild_bootstrap",
        "data.entity",
        "data.time",
        "data.entity_label",
        "data.time_kind",
    ),
    # govcluster.mediation.plan.run_configured_mediation
    # (data: the user's names of the entity and the time, for the records)
    "mediation": (
        "seed",
        "mediation",
        "roles",
        "models.controls",
        "data.entity",
        "data.time",
        "data.entity_label",
        "data.time_kind",
    ),
    # govcluster.index_bootstrap.index_weight_uncertainty: the mediation and the baseline
    # panel models, with the index weights (constructs, indices) re-estimated in the bootstrap
    "index_weight_uncertainty": (
        "seed",
        "constructs",
        "indices",
        "roles",
        "models",
        "mediation",
        "inference.index_weights",
        "data.entity",
        "data.time",
        "data.entity_label",
        "data.time_kind",
    ),
    # govcluster.truth.compare_mediation_with_truth reads only its two input files
    "compare_truth": (),
    # govcluster.metrics.key_estimates
    "metrics": ("roles.treatment",),
    # govcluster.render.catalog.build_exhibit: labels, language and render settings
    # (which exhibits exist is decided when the workflow is planned, from the whole configuration)
    "render_*": (
        "data.entity_label",
        "data.time",
        "data.time_kind",
        "variables",
        "constructs",
        "controls",
        "indices.standardize",
        "language",
        "render",
    ),
    # results/config_resolved.yaml is the whole configuration
    "provenance": (WHOLE_CONFIG,),
    # govcluster.did.run_configured_did, under the user's names of the entity and the time
    "did": (
        "seed",
        "did",
        "data.entity",
        "data.time",
        "data.entity_label",
        "data.time_kind",
    ),
    # govcluster.casestudy.plan.run_configured_case_study
    "case_study": ("seed", "case_study"),
    # govcluster.casestudy.plan.case_study_truth_table reads only its input files
    "case_study_truth": (),
    # govcluster.simulate_firms: firms drawn from the simulated cluster panel
    "simulate_firms": ("seed", "aggregate.simulate_firms"),
    # govcluster.firm_outcomes: the simulated firm-level panel with a known GOV effect
    "firm_panel": ("seed", "simulate", "firm_panel"),
    # govcluster.aggregate: firm-level files to the cluster-year panel
    "aggregate": ("aggregate", "data"),
    # govcluster.study: one replication of the simulation study, and their summary
    "study_replication": ("seed", "study"),
    "study_summary": ("seed", "study"),
    # govcluster.speccurve: data variants (cleaning and indices with two settings replaced),
    # one fit per specification, the assembled curve and its exhibits
    "speccurve_variant": (
        "data",
        "variables",
        "constructs",
        "controls",
        "passthrough",
        "clean",
        "indices",
        "speccurve",
    ),
    "speccurve_fit": ("speccurve",),
    "speccurve_assemble": ("speccurve",),
    "speccurve_render": ("speccurve", "constructs", "controls", "language", "render"),
}


class ConfigKeyNotInSlice(RuntimeError):
    """A rule read a configuration key that it does not declare in its ``params``."""

    def __init__(self, key: str, rule: str) -> None:
        super().__init__(
            f"rule '{rule}' read the configuration key '{key}', which is not in the slice it "
            "declares as params, so changing it would not rerun the rule. Add the key to the "
            f"rule's entry in govcluster.workflow_config.RULE_CONFIG_KEYS."
        )
        self.key = key
        self.rule = rule


def rule_config_keys(rule: str) -> tuple[str, ...]:
    """Return the configuration keys ``rule`` reads (see :data:`RULE_CONFIG_KEYS`).

    Raises
    ------
    KeyError
        If the rule has no entry, naming where to add it.
    """
    entry = "render_*" if rule.startswith("render_") else rule
    if entry not in RULE_CONFIG_KEYS:
        raise KeyError(
            f"rule '{rule}' has no entry in govcluster.workflow_config.RULE_CONFIG_KEYS: "
            "list the configuration keys its script reads there"
        )
    keys = RULE_CONFIG_KEYS[entry]
    if WHOLE_CONFIG in keys:
        return keys
    return tuple(dict.fromkeys([*COMMON_KEYS, *keys]))


def _select(config: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """Copy the nested part of ``config`` at ``keys`` (keys absent from it are left out)."""
    if WHOLE_CONFIG in keys:
        return copy.deepcopy(dict(config))
    selected: dict[str, Any] = {}
    for key in keys:
        section, _, sub = key.partition(".")
        if section not in config:
            continue
        if not sub:
            selected[section] = copy.deepcopy(config[section])
            continue
        value = config[section]
        if isinstance(value, Mapping) and sub in value:
            selected.setdefault(section, {})[sub] = copy.deepcopy(value[sub])
    return selected


def rule_config_slice(config: Mapping[str, Any], rule: str) -> dict[str, Any]:
    """Return the configuration slice of ``rule``: the JSON-able value of its ``config`` param.

    Parameters
    ----------
    config : mapping
        The whole validated configuration (defaults filled in).
    rule : str
        A rule name of the workflow.

    Returns
    -------
    dict
        ``{"schema_version", "kind": "config_slice", "rule", "keys", "values"}``, where
        ``values`` holds the configuration at ``keys`` and nothing else.
    """
    keys = rule_config_keys(rule)
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": KIND,
        "rule": rule,
        "keys": list(keys),
        "values": _select(config, keys),
    }


def panel_job_config_slice(
    config_slice: Mapping[str, Any], where: str, *, estimator_sections: tuple[str, ...]
) -> dict[str, Any]:
    """The slice of rule ``estimate_panel`` for one job: its own model entry and nothing else.

    A job reads the section-wide settings of ``models`` (``controls``, ``cov_type``, ...) and
    its own entry, never another model's. Keeping only those in the job's ``config`` param
    means that a change to one model's options reruns that model alone (and the exhibits that
    read its record), while a change of a shared setting still reruns every job.

    Parameters
    ----------
    config_slice : mapping
        The slice of ``estimate_panel`` (:func:`rule_config_slice`).
    where : str
        The job's entry, ``models.<section>.<key>`` or ``models.<section>``
        (:attr:`govcluster.panel.plan.PanelJob.where`).
    estimator_sections : tuple of str
        The sections of ``models`` that hold model entries (the registered estimators); every
        other key of ``models`` is a section-wide setting and is kept.

    Returns
    -------
    dict
        A slice of the same layout, with ``values["models"]`` reduced.
    """
    parts = where.split(".", 2)
    if len(parts) < 2 or parts[0] != "models" or parts[1] not in estimator_sections:
        raise ValueError(f"{where!r} is not a model entry of models.<section>[.<key>]")
    values = copy.deepcopy(dict(config_slice["values"]))
    models = values.get("models") or {}
    kept = {key: value for key, value in models.items() if key not in estimator_sections}
    section = parts[1]
    kept[section] = {parts[2]: models[section][parts[2]]} if len(parts) == 3 else models[section]
    values["models"] = kept
    return {**config_slice, "values": values}


def slice_values(config_slice: Mapping[str, Any]) -> dict[str, Any]:
    """Return the configuration values of a slice made by :func:`rule_config_slice`."""
    if config_slice.get("kind") != KIND:
        raise ValueError(f"expected a record of kind '{KIND}', got {config_slice.get('kind')!r}")
    if config_slice.get("schema_version") != SCHEMA_VERSION:
        raise ValueError(
            f"config slice schema_version {config_slice.get('schema_version')!r} is not "
            f"supported (expected {SCHEMA_VERSION}); rerun the workflow to rebuild it"
        )
    return dict(config_slice["values"])


class _NotInSlice:
    """Stands for a configuration value outside a rule's slice: any use raises."""

    __slots__ = ("_key", "_rule")

    def __init__(self, key: str, rule: str) -> None:
        object.__setattr__(self, "_key", key)
        object.__setattr__(self, "_rule", rule)

    def _fail(self, *_args: Any, **_kwargs: Any) -> Any:
        raise ConfigKeyNotInSlice(self._key, self._rule)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise ConfigKeyNotInSlice(f"{self._key}.{name}", self._rule)

    __getitem__ = __iter__ = __len__ = __contains__ = __bool__ = _fail
    __int__ = __float__ = __str__ = __fspath__ = __index__ = _fail

    def __repr__(self) -> str:
        return f"<configuration key '{self._key}': not read by rule '{self._rule}'>"


class SliceMapping(Mapping[str, Any]):
    """A configuration dict that answers only for the keys a rule declares.

    Keys declared whole return their value; keys declared in part return a nested
    :class:`SliceMapping`; any other key raises :class:`ConfigKeyNotInSlice` (not
    ``KeyError``, so ``.get(key, default)`` cannot hide it). Iterating over a mapping of which
    only part is declared (``complete=False``) raises too, since it would list only part.
    """

    def __init__(
        self,
        values: Mapping[str, Any],
        keys: tuple[str, ...],
        *,
        rule: str,
        prefix: str = "",
        complete: bool = False,
    ) -> None:
        self._values = values
        self._whole = {key for key in keys if "." not in key}
        self._partial: dict[str, list[str]] = {}
        for key in keys:
            section, _, sub = key.partition(".")
            if sub and section not in self._whole:
                self._partial.setdefault(section, []).append(sub)
        self._rule = rule
        self._prefix = prefix
        self._complete = complete

    def __getitem__(self, key: str) -> Any:
        if key in self._whole:
            return self._values[key]
        if key in self._partial:
            return SliceMapping(
                self._values.get(key, {}),
                tuple(self._partial[key]),
                rule=self._rule,
                prefix=f"{self._prefix}{key}.",
            )
        raise ConfigKeyNotInSlice(f"{self._prefix}{key}", self._rule)

    def __iter__(self) -> Iterator[str]:
        if not self._complete:
            raise ConfigKeyNotInSlice(f"{self._prefix}<every key>", self._rule)
        return iter(self._values)

    def __len__(self) -> int:
        return len(list(iter(self)))

    def __bool__(self) -> bool:
        return bool(self._whole or self._partial)

    def __repr__(self) -> str:
        return f"SliceMapping({self._values!r}, rule={self._rule!r})"


#: What :func:`~govcluster.config.assemble_config` needs of a section the slice leaves out;
#: every such placeholder is replaced by a value that raises when used.
def _placeholders() -> dict[str, Any]:
    def nones(spec: type) -> dict[str, None]:
        return {f.name: None for f in dataclasses.fields(spec)}

    return {
        "seed": 0,
        "simulate": {
            "enabled": None,
            "n_clusters": None,
            "first_year": None,
            "last_year": None,
            "params": {},
        },
        "data": {
            "path": "",
            "format": None,
            "encoding": None,
            "sheet": None,
            "entity": None,
            "time": None,
            "money_units": {},
        },
        "variables": {},
        "constructs": {},
        "controls": {},
        "passthrough": [],
        "roles": {"treatment": None, "mediators": [], "outcome": None, "instruments": []},
        "clean": {
            "drop_exact_duplicates": None,
            "scale_typos": nones(ScaleTypoSpec),
            "interpolate": nones(InterpolateSpec),
            "winsorize": nones(WinsorizeSpec),
            "deflate": nones(DeflateSpec),
            "drop_incomplete": None,
        },
        "indices": {"method": None, "standardize": None},
        "language": None,
        "models": {},
        "mediation": {},
        "output_root": ".",
    }


def project_from_slice(config_slice: Mapping[str, Any]) -> ProjectConfig:
    """Build the :class:`~govcluster.config.ProjectConfig` of a rule from its slice only.

    Parameters
    ----------
    config_slice : mapping
        A rule's ``config`` param, as made by :func:`rule_config_slice`.

    Returns
    -------
    ProjectConfig
        Sections and fields the rule declares hold their values; every other one raises
        :class:`ConfigKeyNotInSlice` when the rule's code uses it.
    """
    values = slice_values(config_slice)
    keys = tuple(config_slice["keys"])
    rule = str(config_slice["rule"])
    whole = WHOLE_CONFIG in keys
    if whole:
        keys = tuple(values)
    merged = _placeholders()
    for section, value in values.items():
        if isinstance(value, Mapping) and isinstance(merged.get(section), Mapping):
            merged[section] = {**merged[section], **value}
        else:
            merged[section] = value
    project = assemble_config(merged)
    changes: dict[str, Any] = {"raw": SliceMapping(values, keys, rule=rule, complete=whole)}
    for field in dataclasses.fields(project):
        if field.name == "raw":
            continue
        if field.name in keys:
            continue
        if field.name == "categories" and "variables" in keys:  # the category variables
            continue
        subkeys = [key.partition(".")[2] for key in keys if key.startswith(f"{field.name}.")]
        current = getattr(project, field.name)
        if not subkeys:
            changes[field.name] = _NotInSlice(field.name, rule)
        elif dataclasses.is_dataclass(current):
            changes[field.name] = dataclasses.replace(
                current,
                **{
                    sub.name: _NotInSlice(f"{field.name}.{sub.name}", rule)
                    for sub in dataclasses.fields(current)
                    if sub.name not in subkeys
                },
            )
        else:
            changes[field.name] = SliceMapping(
                values.get(field.name, {}), tuple(subkeys), rule=rule, prefix=f"{field.name}."
            )
    return dataclasses.replace(project, **changes)
