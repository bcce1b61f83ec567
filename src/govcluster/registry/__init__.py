"""Registries: the one place where an estimator, an index method or an exhibit is declared.

- :mod:`govcluster.registry.estimators`: one :class:`~govcluster.registry.estimators.EstimatorEntry`
  per kind of panel estimation job (its specification, fit function and typed record); the
  ``models`` section of the configuration, the estimation rule and the exhibits are driven by
  it;
- :mod:`govcluster.registry.index_methods`: one entry per method of building a composite index
  (``indices.method`` of the configuration);
- :mod:`govcluster.registry.exhibits`: one entry per table, figure or numbers file (builder,
  caption, formats, when it is planned, the rule that renders it).

See ``docs/ARCHITECTURE.md`` for how to add an entry to each. The registries import nothing
heavy themselves; the built-in entries are registered next to the code they point at.
"""
