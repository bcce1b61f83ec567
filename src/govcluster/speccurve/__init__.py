"""Specification curve of the treatment effect (Simonsohn, Simmons and Nelson 2020).

Every reasonable analysis choice is crossed (:mod:`govcluster.speccurve.spec`): how the indices
are built and whether the data are winsorised (the *data variants*, built once each by
:mod:`govcluster.speccurve.variants`), the control set, the fixed effects, the sample and the
standard errors. Each specification is fitted on its own (:mod:`govcluster.speccurve.fit`,
numpy only, so that hundreds of small jobs start fast) together with the same seeded
permutations of the treatment (:mod:`govcluster.speccurve.permutation`); the curve and its joint
test under the null are assembled by :mod:`govcluster.speccurve.joint`.

This package's ``__init__`` imports nothing, so that a per-specification job loads only the
modules it needs (numpy, no pandas or scipy). See docs/methods/specification_curve.md.
"""
