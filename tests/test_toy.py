"""Toy 2-D data and the Gaussian mixture reference density.

The mixture's log-density is checked against scipy's multivariate normal,
its score against finite differences and torch autograd, its blurred
versions against scipy with the covariances C_k + sigma^2 I, and its sampler
against its moments.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from divlib import GaussianMixture, make_gaussian_mixture, make_rings, make_two_moons


def scipy_mixture_logpdf(x, means, covs, weights):
    dens = sum(w * stats.multivariate_normal(m, C).pdf(x) for m, C, w in zip(means, covs, weights))
    return np.log(dens)


def random_mixture(rng, K, d):
    means = rng.normal(scale=2.0, size=(K, d))
    B = rng.normal(size=(K, d, d))
    covs = B @ np.swapaxes(B, 1, 2) / d + 0.3 * np.eye(d)
    weights = rng.dirichlet(np.ones(K))
    return means, covs, weights


# -- samplers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [make_gaussian_mixture, make_rings, lambda n, seed: make_two_moons(n, noise=0.1, seed=seed)],
)
def test_shapes_dtype_and_seeds(make):
    a = make(300, seed=0)
    assert a.shape == (300, 2) and a.dtype == np.float64
    assert np.all(np.isfinite(a))
    assert np.array_equal(a, make(300, seed=0))
    assert not np.allclose(a, make(300, seed=1))
    # a Generator is accepted too, and gives the same stream as its seed
    assert np.array_equal(a, make(300, seed=np.random.default_rng(0)))


def test_rings_radii_and_proportions():
    x = make_rings(20_000, radii=(1.0, 3.0), noise=0.0, seed=0)
    r = np.hypot(x[:, 0], x[:, 1])
    on_small = np.isclose(r, 1.0)
    assert np.all(on_small | np.isclose(r, 3.0))
    # ring chosen with probability proportional to its length: 1/4 on the small one
    assert abs(on_small.mean() - 0.25) < 4 * np.sqrt(0.25 * 0.75 / len(r))
    # angles uniform: Kolmogorov-Smirnov against U(-pi, pi)
    assert (
        stats.kstest(np.arctan2(x[:, 1], x[:, 0]), stats.uniform(-np.pi, 2 * np.pi).cdf).pvalue
        > 1e-3
    )


def test_rings_noise_is_gaussian_with_the_given_std():
    clean = make_rings(5000, radii=(2.0,), noise=0.0, seed=3)
    noisy = make_rings(5000, radii=(2.0,), noise=0.05, seed=3)
    r = np.hypot(noisy[:, 0], noisy[:, 1]) - 2.0  # radial part of the noise
    assert np.std(r) == pytest.approx(0.05, rel=0.05)
    assert clean.shape == noisy.shape


def test_two_moons_lie_on_their_arcs_without_noise():
    x = make_two_moons(2000, noise=0.0, seed=0)
    upper = np.isclose(np.hypot(x[:, 0], x[:, 1]), 1.0) & (x[:, 1] >= -1e-12)
    lower = np.isclose(np.hypot(x[:, 0] - 1.0, x[:, 1] - 0.5), 1.0) & (x[:, 1] <= 0.5 + 1e-12)
    assert np.all(upper | lower)
    assert abs(upper.mean() - 0.5) < 4 * np.sqrt(0.25 / 2000)


def test_gaussian_mixture_on_circle_sample_moments():
    x = make_gaussian_mixture(40_000, n_components=8, radius=4.0, std=0.5, seed=0)
    # mean 0 by symmetry; covariance (r^2 / 2 + std^2) I for K >= 3 evenly spaced means
    assert np.allclose(x.mean(0), 0.0, atol=4 * np.sqrt(8.25 / 40_000))
    assert np.allclose(np.cov(x.T), (16 / 2 + 0.25) * np.eye(2), rtol=0.03, atol=0.15)


def test_mixture_sampler_moments():
    rng = np.random.default_rng(1)
    means, covs, weights = random_mixture(rng, 3, 2)
    gm = GaussianMixture(means, covs, weights)
    x = gm.sample(100_000, seed=2)
    mean = weights @ means
    cov = sum(w * (C + np.outer(m - mean, m - mean)) for m, C, w in zip(means, covs, weights))
    assert np.allclose(x.mean(0), mean, atol=0.05)
    assert np.allclose(np.cov(x.T), cov, rtol=0.05, atol=0.05)


# -- mixture density and score ---------------------------------------------------------------


def test_log_prob_matches_scipy_and_integrates_to_one():
    rng = np.random.default_rng(3)
    means, covs, weights = random_mixture(rng, 4, 3)
    gm = GaussianMixture(means, covs, weights)
    x = rng.normal(scale=3.0, size=(50, 3))
    assert np.allclose(gm.log_prob(x), scipy_mixture_logpdf(x, means, covs, weights), rtol=1e-10)
    gm1 = GaussianMixture([[-1.0], [2.0]], covs=[0.5, 2.0], weights=[0.4, 0.6])
    total, _ = integrate.quad(lambda t: np.exp(gm1.log_prob(np.array([[t]]))[0]), -np.inf, np.inf)
    assert total == pytest.approx(1.0, rel=1e-8)


def test_blurred_log_prob_and_score_use_covariances_plus_sigma_squared():
    rng = np.random.default_rng(4)
    means, covs, weights = random_mixture(rng, 3, 2)
    gm = GaussianMixture(means, covs, weights)
    x = rng.normal(scale=2.0, size=(20, 2))
    sig = 0.7
    blurred = GaussianMixture(means, covs + sig**2 * np.eye(2), weights)
    assert np.allclose(
        gm.log_prob(x, sig), scipy_mixture_logpdf(x, means, covs + sig**2 * np.eye(2), weights)
    )
    assert np.allclose(gm.score(x, sig), blurred.score(x), rtol=1e-10)
    # one sigma per sample: each row as if alone
    sigmas = rng.uniform(0.1, 2.0, size=20)
    per_sample = gm.score(x, sigmas)
    for i in (0, 7, 19):
        assert np.allclose(per_sample[i], gm.score(x[i : i + 1], sigmas[i])[0], rtol=1e-10)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), K=st.integers(1, 4), d=st.integers(1, 3))
def test_score_is_the_gradient_of_log_prob(seed, K, d):
    rng = np.random.default_rng(seed)
    gm = GaussianMixture(*random_mixture(rng, K, d))
    x = rng.normal(scale=2.0, size=(5, d))
    h = 1e-5
    fd = np.stack(
        [(gm.log_prob(x + h * e) - gm.log_prob(x - h * e)) / (2 * h) for e in np.eye(d)], axis=1
    )
    assert np.allclose(gm.score(x), fd, rtol=1e-5, atol=1e-5)


def test_torch_log_prob_and_score_agree_with_autograd_and_numpy():
    rng = np.random.default_rng(5)
    means, covs, weights = random_mixture(rng, 3, 2)
    gm = GaussianMixture(means, covs, weights)
    x_np = rng.normal(size=(10, 2))
    x = torch.as_tensor(x_np).requires_grad_(True)
    lp = gm.log_prob(x, 0.3)
    (g,) = torch.autograd.grad(lp.sum(), x)
    s = gm.score(x, torch.full((10,), 0.3, dtype=torch.float64))
    assert isinstance(lp, torch.Tensor) and isinstance(s, torch.Tensor)
    assert torch.allclose(s, g, rtol=1e-10)
    assert np.allclose(s.detach().numpy(), gm.score(x_np, 0.3), rtol=1e-12)


def test_symmetric_mixture_has_zero_score_at_the_centre():
    gm = GaussianMixture.on_circle(6, radius=3.0, std=0.4)
    assert np.allclose(gm.score(np.zeros((1, 2))), 0.0, atol=1e-12)
    assert gm.dim == 2 and "K=6" in repr(gm)


# -- bad input -----------------------------------------------------------------------------


def test_toy_bad_input():
    for bad_n in (0, -3):
        with pytest.raises(ValueError, match="n must be an integer >= 1"):
            make_rings(bad_n)
    with pytest.raises(ValueError, match="n must be a whole number"):
        make_rings(2.5)
    with pytest.raises(TypeError, match="n must be a real number"):
        make_rings(True)
    with pytest.raises(ValueError, match="noise must be a number >= 0"):
        make_two_moons(10, noise=-0.1)
    with pytest.raises(TypeError, match="noise must be a number"):
        make_two_moons(10, noise="a lot")
    with pytest.raises(ValueError, match=r"radii must be finite and > 0, got radii\[1\]"):
        make_rings(10, radii=(1.0, 0.0))
    with pytest.raises(ValueError, match="radii must be a number or a non-empty 1-D sequence"):
        make_rings(10, radii=())
    with pytest.raises(ValueError, match="std must be a number > 0"):
        make_gaussian_mixture(10, std=0.0)
    with pytest.raises(ValueError, match="n_components must be an integer >= 1"):
        make_gaussian_mixture(10, n_components=0)


def test_mixture_bad_input():
    with pytest.raises(ValueError, match=r"means must have shape \(K, d\)"):
        GaussianMixture([0.0, 1.0])
    with pytest.raises(ValueError, match="means has 1 NaN entry"):
        GaussianMixture([[0.0], [np.nan]])
    with pytest.raises(ValueError, match=r"covs must be finite and > 0, got covs\[1\]"):
        GaussianMixture([[0.0], [1.0]], covs=[1.0, -1.0])
    with pytest.raises(ValueError, match=r"covs\[1\] is not positive definite"):
        GaussianMixture([[0.0, 0.0], [1.0, 1.0]], covs=np.stack([np.eye(2), -np.eye(2)]))
    with pytest.raises(ValueError, match="covs must be a variance"):
        GaussianMixture([[0.0, 0.0]], covs=np.eye(3)[None])
    with pytest.raises(ValueError, match="weights sums to"):
        GaussianMixture([[0.0], [1.0]], weights=[0.5, 0.6])
    with pytest.raises(ValueError, match=r"weights must have shape \(2,\)"):
        GaussianMixture([[0.0], [1.0]], weights=[1.0])
    gm = GaussianMixture([[0.0, 0.0]])
    with pytest.raises(ValueError, match=r"x must have shape \(n, 2\)"):
        gm.score(np.zeros((3, 3)))
    with pytest.raises(ValueError, match=r"sigma must be a number or have shape \(n,\)"):
        gm.score(np.zeros((3, 2)), np.ones(4))
    with pytest.raises(ValueError, match="sigma has 1 negative entry"):
        gm.log_prob(np.zeros((1, 2)), -1.0)


# -- issue 17: silent wrong answers and crashes -------------------------------------


def test_mixture_score_at_a_far_point():
    s = GaussianMixture([[0.0], [1.0]]).score(np.array([[1e160]]))
    assert np.isfinite(s).all() and s[0, 0] == pytest.approx(-1e160, rel=1e-12)


def test_weights_within_tolerance_can_be_sampled():
    gm = GaussianMixture([[0.0], [1.0]], weights=[0.5, 0.5 + 5e-7])
    assert gm.sample(10, seed=0).shape == (10, 1)
