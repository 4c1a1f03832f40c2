"""Kantorovich-Rubinstein duality in torch: critics, WGAN objectives, dual W_1."""

from __future__ import annotations


def kr_dual_objective(*args, **kwargs):  # STUB: replaced by issue 4
    raise NotImplementedError("divlib.kr_dual_objective is not written yet (issue 4).")


def gradient_penalty(*args, **kwargs):  # STUB: replaced by issue 4
    raise NotImplementedError("divlib.gradient_penalty is not written yet (issue 4).")


def dual_wasserstein_1(*args, **kwargs):  # STUB: replaced by issue 4
    raise NotImplementedError("divlib.dual_wasserstein_1 is not written yet (issue 4).")
