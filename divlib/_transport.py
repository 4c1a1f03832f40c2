"""Optimal transport: exact, entropic, sliced and 1-D Wasserstein distances."""

from __future__ import annotations


def wasserstein_1d(*args, **kwargs):  # STUB: replaced by issue 4
    raise NotImplementedError("divlib.wasserstein_1d is not written yet (issue 4).")


def ot_cost(*args, **kwargs):  # STUB: replaced by issue 4
    raise NotImplementedError("divlib.ot_cost is not written yet (issue 4).")


def wasserstein_discrete(*args, **kwargs):  # STUB: replaced by issue 4
    raise NotImplementedError("divlib.wasserstein_discrete is not written yet (issue 4).")


def sinkhorn(*args, **kwargs):  # STUB: replaced by issue 4
    raise NotImplementedError("divlib.sinkhorn is not written yet (issue 4).")


def sinkhorn_divergence(*args, **kwargs):  # STUB: replaced by issue 4
    raise NotImplementedError("divlib.sinkhorn_divergence is not written yet (issue 4).")


def sliced_wasserstein(*args, **kwargs):  # STUB: replaced by issue 4
    raise NotImplementedError("divlib.sliced_wasserstein is not written yet (issue 4).")


def monge_map_1d(*args, **kwargs):  # STUB: replaced by issue 4
    raise NotImplementedError("divlib.monge_map_1d is not written yet (issue 4).")
