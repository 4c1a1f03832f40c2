"""Estimators of divergences from samples (k-nearest neighbours, Monte Carlo)."""

from __future__ import annotations


def knn_kl_divergence(*args, **kwargs):  # STUB: replaced by issue 3
    raise NotImplementedError("divlib.knn_kl_divergence is not written yet (issue 3).")


def mc_kl(*args, **kwargs):  # STUB: replaced by issue 3
    raise NotImplementedError("divlib.mc_kl is not written yet (issue 3).")
