"""divlib: divergences between probability distributions, numpy and torch.

The numerics of the *Divergences* course. ``p`` is the target or data
distribution, ``q`` the model; ``kl_divergence(p, q)`` is KL(p||q), the
forward KL, and ``kl_divergence(q, p)`` the reverse KL.
"""

__version__ = "0.3.0"

from ._backend import get_backend
from ._diffusion import (
    VPSchedule,
    probability_flow_sample,
    reverse_sde_sample,
    vp_denoising_loss,
)
from ._duality import dual_wasserstein_1, gradient_penalty, kr_dual_objective
from ._estimators import knn_kl_divergence, mc_kl
from ._f_divergences import chi2_divergence, f_divergence, hellinger, total_variation
from ._flows import median_bandwidth, rbf_kernel, svgd_direction, svgd_sample, svgd_step
from ._gaussian import (
    fisher_divergence_gaussian,
    gaussian_monge_map,
    gaussian_w2,
    kl_gaussian,
)
from ._generative import (
    gan_discriminator_loss,
    gan_generator_loss,
    kl_standard_normal,
    mode_coverage,
)
from ._information import (
    cross_entropy,
    entropy,
    js_distance,
    js_divergence,
    kl_divergence,
    renyi_divergence,
)
from ._policy import (
    adaptive_kl_coef,
    categorical_fisher,
    clipped_surrogate,
    conjugate_gradient,
    trust_region_step,
)
from ._runtime import ConvergenceWarning
from ._score import (
    annealed_langevin_sample,
    denoising_score_matching_loss,
    fisher_divergence,
    hyvarinen_loss,
    langevin_sample,
    sliced_score_matching_loss,
)
from ._sinkhorn import sinkhorn, sinkhorn_divergence
from ._teaching import Quiz, quiz, quiz_names
from ._toy import GaussianMixture, make_gaussian_mixture, make_rings, make_two_moons
from ._transport import (
    monge_map_1d,
    ot_cost,
    sliced_wasserstein,
    wasserstein_1d,
    wasserstein_discrete,
)
from ._vi import gaussian_elbo

# One group per family, in the order of the reference pages (scripts/api_pages.py).
__all__ = [
    # information measures of discrete distributions (_information, _f_divergences)
    "entropy",
    "cross_entropy",
    "kl_divergence",
    "js_divergence",
    "js_distance",
    "renyi_divergence",
    "f_divergence",
    "total_variation",
    "hellinger",
    "chi2_divergence",
    # Gaussian closed forms (_gaussian)
    "kl_gaussian",
    "gaussian_w2",
    "gaussian_monge_map",
    "fisher_divergence_gaussian",
    # estimators from samples (_estimators)
    "knn_kl_divergence",
    "mc_kl",
    # optimal transport and its duality (_transport, _sinkhorn, _duality)
    "wasserstein_1d",
    "ot_cost",
    "wasserstein_discrete",
    "sliced_wasserstein",
    "monge_map_1d",
    "sinkhorn",
    "sinkhorn_divergence",
    "kr_dual_objective",
    "gradient_penalty",
    "dual_wasserstein_1",
    # scores, score matching and Langevin sampling (_score, _models: torch, lazy)
    "fisher_divergence",
    "hyvarinen_loss",
    "sliced_score_matching_loss",
    "denoising_score_matching_loss",
    "langevin_sample",
    "annealed_langevin_sample",
    "ScoreMLP",
    "LinearScore",
    "train_score_model",
    # generative models: GAN and VAE losses, VP diffusion (_generative, _diffusion)
    "gan_discriminator_loss",
    "gan_generator_loss",
    "kl_standard_normal",
    "mode_coverage",
    "VPSchedule",
    "vp_denoising_loss",
    "reverse_sde_sample",
    "probability_flow_sample",
    # inference, policies and particle flows (_vi, _policy, _flows)
    "gaussian_elbo",
    "clipped_surrogate",
    "adaptive_kl_coef",
    "categorical_fisher",
    "conjugate_gradient",
    "trust_region_step",
    "median_bandwidth",
    "rbf_kernel",
    "svgd_direction",
    "svgd_step",
    "svgd_sample",
    # toy distributions, the numpy/torch backend and the solvers' warning
    # (_toy, _backend, _runtime)
    "GaussianMixture",
    "make_gaussian_mixture",
    "make_rings",
    "make_two_moons",
    "get_backend",
    "ConvergenceWarning",
    # the chapters' self-check quizzes (_teaching)
    "quiz",
    "quiz_names",
    "Quiz",
]

# torch-only names, imported on first access so `import divlib` never imports torch.
_LAZY = {"ScoreMLP": "._models", "LinearScore": "._models", "train_score_model": "._models"}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module 'divlib' has no attribute {name!r}")
