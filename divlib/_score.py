"""Score functions: Fisher divergence, score matching losses, Langevin sampling."""

from __future__ import annotations


def fisher_divergence(*args, **kwargs):  # STUB: replaced by issue 5
    raise NotImplementedError("divlib.fisher_divergence is not written yet (issue 5).")


def hyvarinen_loss(*args, **kwargs):  # STUB: replaced by issue 5
    raise NotImplementedError("divlib.hyvarinen_loss is not written yet (issue 5).")


def sliced_score_matching_loss(*args, **kwargs):  # STUB: replaced by issue 5
    raise NotImplementedError("divlib.sliced_score_matching_loss is not written yet (issue 5).")


def denoising_score_matching_loss(*args, **kwargs):  # STUB: replaced by issue 5
    raise NotImplementedError("divlib.denoising_score_matching_loss is not written yet (issue 5).")


def langevin_sample(*args, **kwargs):  # STUB: replaced by issue 5
    raise NotImplementedError("divlib.langevin_sample is not written yet (issue 5).")


def annealed_langevin_sample(*args, **kwargs):  # STUB: replaced by issue 5
    raise NotImplementedError("divlib.annealed_langevin_sample is not written yet (issue 5).")
