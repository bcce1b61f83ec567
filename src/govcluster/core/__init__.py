"""The econometric core shared by the panel and mediation estimators.

- :mod:`~govcluster.core.options`: run-time checking of ``Literal`` options;
- :mod:`~govcluster.core.absorb`: group codes, group means, year dummies and the absorption
  (removal) of one or several fixed effects;
- :mod:`~govcluster.core.covariance`: cluster sums, the Stata small-sample factors and the
  sandwich covariance of least-squares and 2SLS coefficients;
- :mod:`~govcluster.core.iv`: two-stage least squares and the Kleibergen-Paap rk statistic.

Nothing here knows about specifications, records or files: the functions take arrays and
return arrays (or small frozen dataclasses).
"""
