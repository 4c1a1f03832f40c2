"""divlib: divergences between probability distributions, numpy and torch.

The numerics of the *Divergences* course. ``p`` is the target or data
distribution, ``q`` the model; ``kl_divergence(p, q)`` is KL(p||q), the
forward KL, and ``kl_divergence(q, p)`` the reverse KL.
"""

__version__ = "0.2.0"

from ._information import (
    entropy,
    cross_entropy,
    kl_divergence,
    js_divergence,
    js_distance,
    renyi_divergence,
)
from ._f_divergences import f_divergence, total_variation, hellinger, chi2_divergence
from ._gaussian import (
    kl_gaussian,
    gaussian_w2,
    gaussian_monge_map,
    fisher_divergence_gaussian,
)
from ._estimators import knn_kl_divergence, mc_kl
from ._backend import get_backend
from ._transport import (
    ConvergenceWarning,
    wasserstein_1d,
    ot_cost,
    wasserstein_discrete,
    sliced_wasserstein,
    monge_map_1d,
)
from ._sinkhorn import sinkhorn, sinkhorn_divergence
from ._duality import kr_dual_objective, gradient_penalty, dual_wasserstein_1
from ._score import (
    fisher_divergence,
    hyvarinen_loss,
    sliced_score_matching_loss,
    denoising_score_matching_loss,
    langevin_sample,
    annealed_langevin_sample,
)
from ._toy import GaussianMixture, make_gaussian_mixture, make_rings, make_two_moons
from ._flows import median_bandwidth, rbf_kernel, svgd_direction, svgd_step, svgd_sample
from ._policy import (
    clipped_surrogate,
    adaptive_kl_coef,
    categorical_fisher,
    conjugate_gradient,
    trust_region_step,
)
from ._vi import gaussian_elbo
from ._generative import (
    gan_discriminator_loss,
    gan_generator_loss,
    kl_standard_normal,
    mode_coverage,
)
from ._diffusion import (
    VPSchedule,
    vp_denoising_loss,
    reverse_sde_sample,
    probability_flow_sample,
)

__all__ = [
    # information measures (issue 3)
    "entropy",
    "cross_entropy",
    "kl_divergence",
    "js_divergence",
    "js_distance",
    "f_divergence",
    "total_variation",
    "hellinger",
    "chi2_divergence",
    "renyi_divergence",
    # Gaussian closed forms
    "kl_gaussian",
    "gaussian_w2",
    "gaussian_monge_map",
    "fisher_divergence_gaussian",
    # estimators from samples
    "knn_kl_divergence",
    "mc_kl",
    # numpy/torch dispatch, for callables written once for both (f in f_divergence)
    "get_backend",
    # optimal transport (issue 4)
    "wasserstein_1d",
    "ot_cost",
    "wasserstein_discrete",
    "sinkhorn",
    "sinkhorn_divergence",
    "sliced_wasserstein",
    "monge_map_1d",
    "ConvergenceWarning",
    "kr_dual_objective",
    "gradient_penalty",
    "dual_wasserstein_1",
    # score functions (issue 5)
    "fisher_divergence",
    "hyvarinen_loss",
    "sliced_score_matching_loss",
    "denoising_score_matching_loss",
    "langevin_sample",
    "annealed_langevin_sample",
    "GaussianMixture",
    "make_gaussian_mixture",
    "make_rings",
    "make_two_moons",
    "ScoreMLP",
    "LinearScore",
    "train_score_model",
    # particle gradient flows (issue 10)
    "median_bandwidth",
    "rbf_kernel",
    "svgd_direction",
    "svgd_step",
    "svgd_sample",
    # policy optimisation (issue 10)
    "clipped_surrogate",
    "adaptive_kl_coef",
    "categorical_fisher",
    "conjugate_gradient",
    "trust_region_step",
    # variational inference (issue 10)
    "gaussian_elbo",
    # score-based diffusion (issue 9)
    "VPSchedule",
    "vp_denoising_loss",
    "reverse_sde_sample",
    "probability_flow_sample",
    # generative models (issue 9)
    "gan_discriminator_loss",
    "gan_generator_loss",
    "kl_standard_normal",
    "mode_coverage",
]

# torch-only names (issue 5), imported on first access so `import divlib` never imports torch.
_LAZY = {"ScoreMLP": "._models", "LinearScore": "._models", "train_score_model": "._models"}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module 'divlib' has no attribute {name!r}")
