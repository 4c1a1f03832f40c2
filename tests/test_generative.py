"""Generative-model helpers (issue 9): GAN losses, the VAE's Gaussian KL, mode coverage.

Oracles: torch.nn.functional.binary_cross_entropy on probabilities and
torch.distributions (Bernoulli log-probabilities, Normal KL), divlib.kl_gaussian's
Cholesky closed form, Monte Carlo with scipy.stats, a brute-force loop for the
mode counts, and autograd against the closed-form logit derivatives.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import stats

from conftest import npy
from divlib import (
    gan_discriminator_loss,
    gan_generator_loss,
    kl_gaussian,
    kl_standard_normal,
    mode_coverage,
)


def logits(seed, n, scale=3.0):
    return np.random.default_rng(seed).normal(scale=scale, size=n)


# -- GAN losses -------------------------------------------------------------------------


def test_discriminator_loss_is_binary_cross_entropy(xp):
    lr, lf = logits(0, 50), logits(1, 70)
    got = npy(gan_discriminator_loss(xp(lr), xp(lf)))
    Dr, Df = torch.sigmoid(torch.tensor(lr)), torch.sigmoid(torch.tensor(lf))
    bce = torch.nn.functional.binary_cross_entropy
    ref = bce(Dr, torch.ones_like(Dr)) + bce(Df, torch.zeros_like(Df))
    assert np.isclose(got, ref.item(), rtol=1e-10)


def test_discriminator_loss_optimal_value_is_js():
    # discrete p, q with D* = p / (p + q): L_D = log 4 - 2 JS(p, q) (Goodfellow et al. 2014)
    rng = np.random.default_rng(2)
    p, q = rng.dirichlet(np.ones(6)), rng.dirichlet(np.ones(6))
    ell = np.log(p / q)  # logit of D* = p / (p + q)
    x_idx = np.repeat(np.arange(6), np.round(p * 1e6).astype(int))  # exact-ish weights
    y_idx = np.repeat(np.arange(6), np.round(q * 1e6).astype(int))
    got = float(gan_discriminator_loss(ell[x_idx], ell[y_idx]))
    m = (p + q) / 2
    js = 0.5 * stats.entropy(p, m) + 0.5 * stats.entropy(q, m)
    assert abs(got - (np.log(4) - 2 * js)) < 1e-5


@pytest.mark.parametrize("kind", ["saturating", "non_saturating", "wasserstein"])
def test_generator_losses_match_torch_distributions(kind, xp):
    lf = logits(3, 40)
    got = npy(gan_generator_loss(xp(lf), kind=kind))
    bern = torch.distributions.Bernoulli(logits=torch.tensor(lf))
    if kind == "saturating":  # mean log(1 - D)
        ref = bern.log_prob(torch.zeros(40, dtype=torch.float64)).mean().item()
    elif kind == "non_saturating":  # -mean log D
        ref = -bern.log_prob(torch.ones(40, dtype=torch.float64)).mean().item()
    else:
        ref = -lf.mean()
    assert np.isclose(got, ref, rtol=1e-10)


def test_generator_logit_gradients():
    # d L_sat / d l_j = -D_j / m ; d L_ns / d l_j = -(1 - D_j) / m
    lf = torch.tensor(logits(4, 30, scale=8.0), requires_grad=True)
    D = torch.sigmoid(lf.detach())
    (g_sat,) = torch.autograd.grad(gan_generator_loss(lf, kind="saturating"), lf)
    (g_ns,) = torch.autograd.grad(gan_generator_loss(lf, kind="non_saturating"), lf)
    assert torch.allclose(g_sat, -D / 30, rtol=1e-10, atol=0)
    assert torch.allclose(g_ns, -(1 - D) / 30, rtol=1e-10, atol=0)


def test_losses_stay_finite_for_confident_discriminator():
    big = np.array([-800.0, 800.0])  # sigmoid rounds to 0 and 1 here
    assert np.isfinite(gan_discriminator_loss(big, big))
    # log(1 - D) at l = 800 is -800 exactly (softplus(800) = 800)
    assert float(gan_generator_loss(np.array([800.0]), kind="saturating")) == -800.0
    assert float(gan_generator_loss(np.array([-800.0]), kind="non_saturating")) == 800.0


def test_losses_keep_dtype_and_device():
    lf = torch.zeros(5, dtype=torch.float32)
    assert gan_generator_loss(lf).dtype == torch.float32
    assert gan_discriminator_loss(lf, lf).dtype == torch.float32


@pytest.mark.parametrize(
    "bad, match",
    [
        (np.array([0.0, np.nan]), "fake_out has 1 NaN"),
        (np.array([0.0, np.inf]), "fake_out has 1 infinite"),
        (np.array([]), "fake_out is empty"),
        (np.zeros((3, 1)), r"shape \(m,\)"),
    ],
)
def test_generator_loss_rejects_bad_values(bad, match):
    with pytest.raises(ValueError, match=match):
        gan_generator_loss(bad)


def test_generator_loss_rejects_bad_kind_and_dtypes():
    with pytest.raises(ValueError, match="kind must be one of"):
        gan_generator_loss(np.zeros(3), kind="minimax")
    with pytest.raises(TypeError, match="fake_out has dtype bool"):
        gan_generator_loss(np.array([True, False]))
    with pytest.raises(TypeError, match="complex"):
        gan_generator_loss(np.array([1j, 0]))


def test_discriminator_loss_rejects_bad_input():
    with pytest.raises(ValueError, match="real_logits must have shape"):
        gan_discriminator_loss(np.zeros((4, 1)), np.zeros(4))
    with pytest.raises(ValueError, match="fake_logits has 1 NaN"):
        gan_discriminator_loss(np.zeros(4), np.array([0.0, np.nan]))
    # integer logits are real numbers: accepted and converted
    assert np.isclose(gan_discriminator_loss(np.array([0, 0]), np.array([0])), np.log(4))


# -- the VAE's KL term --------------------------------------------------------------------


def test_kl_standard_normal_matches_kl_gaussian_and_torch(xp):
    rng = np.random.default_rng(5)
    mu, lv = rng.normal(size=(7, 4)), rng.normal(size=(7, 4))
    got = npy(kl_standard_normal(xp(mu), xp(lv)))
    assert got.shape == (7, 4)
    ref = torch.distributions.kl_divergence(
        torch.distributions.Normal(torch.tensor(mu), torch.tensor(np.exp(lv / 2))),
        torch.distributions.Normal(0.0, 1.0),
    ).numpy()
    assert np.allclose(got, ref, rtol=1e-10, atol=1e-14)
    for i in range(7):
        full = float(kl_gaussian(mu[i], np.diag(np.exp(lv[i])), np.zeros(4), np.eye(4)))
        assert np.isclose(got[i].sum(), full, rtol=1e-10)


def test_kl_standard_normal_monte_carlo():
    mu, lv = np.array([0.7, -1.2]), np.array([np.log(0.3), np.log(2.0)])
    rng = np.random.default_rng(6)
    z = mu + np.exp(lv / 2) * rng.standard_normal((400_000, 2))
    log_r = stats.norm(mu, np.exp(lv / 2)).logpdf(z)
    log_prior = stats.norm(0, 1).logpdf(z)
    terms = log_r - log_prior  # (S, 2)
    mc, se = terms.mean(0), terms.std(0) / np.sqrt(len(z))
    assert np.all(np.abs(kl_standard_normal(mu, lv) - mc) < 4 * se)


def test_kl_standard_normal_zero_and_broadcast_and_gradient():
    assert np.all(kl_standard_normal(np.zeros(3), np.zeros(3)) == 0.0)
    out = kl_standard_normal(np.zeros((5, 3)), np.zeros(3))  # log_var broadcasts
    assert out.shape == (5, 3)
    mu = torch.tensor([0.3, -2.0], dtype=torch.float64, requires_grad=True)
    lv = torch.tensor([0.5, -1.0], dtype=torch.float64, requires_grad=True)
    kl_standard_normal(mu, lv).sum().backward()
    assert torch.allclose(mu.grad, mu.detach())  # d/dmu = mu
    assert torch.allclose(lv.grad, 0.5 * (torch.exp(lv.detach()) - 1))  # d/dlv


def test_kl_standard_normal_rejects_bad_input():
    with pytest.raises(ValueError, match="do not broadcast"):
        kl_standard_normal(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="log_var has 1 infinite"):
        kl_standard_normal(np.zeros(2), np.array([0.0, -np.inf]))
    with pytest.raises(TypeError, match="mean has dtype"):
        kl_standard_normal(np.array(["a"]), np.zeros(1))


# -- mode coverage --------------------------------------------------------------------------


def brute_force_coverage(y, c, radius, min_count):
    counts = [0] * len(c)
    good = 0
    for yj in y:
        d = [float(np.linalg.norm(yj - ck)) for ck in c]
        k = int(np.argmin(d))
        if d[k] <= radius:
            counts[k] += 1
            good += 1
    return sum(n >= min_count for n in counts), good / len(y)


@pytest.mark.parametrize("min_count", [1, 5, 30])
def test_mode_coverage_against_loop(min_count):
    rng = np.random.default_rng(7)
    c = 2 * np.stack([np.cos(np.arange(8) * np.pi / 4), np.sin(np.arange(8) * np.pi / 4)], 1)
    k = rng.choice(5, size=300, p=[0.5, 0.3, 0.1, 0.07, 0.03])  # only 5 of the 8 modes
    y = c[k] + 0.15 * rng.standard_normal((300, 2))
    got = mode_coverage(y, c, radius=0.3, min_count=min_count)
    ref = brute_force_coverage(y, c, 0.3, min_count)
    assert got[0] == ref[0] and np.isclose(got[1], ref[1])
    assert got[0] <= 5
    # torch input gives the same counts
    assert (
        mode_coverage(
            torch.tensor(y, requires_grad=True), torch.tensor(c), radius=0.3, min_count=min_count
        )
        == got
    )


def test_mode_coverage_rejects_bad_input():
    c = np.zeros((2, 2))
    with pytest.raises(ValueError, match="radius must be a number > 0"):
        mode_coverage(np.zeros((3, 2)), c, radius=0.0)
    with pytest.raises(ValueError, match="min_count must be an integer >= 1"):
        mode_coverage(np.zeros((3, 2)), c, radius=1.0, min_count=0)
    with pytest.raises(ValueError, match="min_count must be a whole number"):
        mode_coverage(np.zeros((3, 2)), c, radius=1.0, min_count=1.5)
    with pytest.raises(ValueError, match=r"samples must have shape \(n, d\)"):
        mode_coverage(np.zeros(3), c, radius=1.0)
    with pytest.raises(ValueError, match="samples has 1 NaN"):
        mode_coverage(np.array([[0.0, np.nan]]), c, radius=1.0)
    with pytest.raises(ValueError, match="dimension"):
        mode_coverage(np.zeros((3, 3)), c, radius=1.0)
    with pytest.raises(TypeError, match="radius must be a real number"):
        mode_coverage(np.zeros((3, 2)), c, radius=True)


def test_mixed_dtypes_follow_the_one_promotion_policy():
    """A float64 ndarray next to a float32 tensor computes in float64 (it was cast down
    to the tensor's float32); an integer tensor next to a float list is never truncated."""
    lv = np.array([0.1, 1e-9])
    got = kl_standard_normal(torch.zeros(2, dtype=torch.float32), lv)
    assert got.dtype == torch.float64
    # 0.5 (e^v - 1 - v) by its Taylor series (no cancellation at v = 1e-9)
    ref = [0.5 * math.fsum(v**k / math.factorial(k) for k in range(2, 25)) for v in lv]
    np.testing.assert_allclose(got.numpy(), ref, rtol=1e-6)  # expm1(v) - v: 1e-7 at 1e-9
    got = kl_standard_normal(torch.tensor([1, 0]), [0.5, 0.0])
    assert got.dtype == torch.get_default_dtype()
    np.testing.assert_allclose(got.numpy(), [0.5 * (1 + np.exp(0.5) - 1 - 0.5), 0.0], rtol=1e-6)


# -- issue 17: silent wrong answers -------------------------------------------------


def test_wasserstein_generator_loss_near_the_largest_float():
    from divlib import gan_generator_loss

    L = gan_generator_loss(np.array([1e308, 1e308]), kind="wasserstein")
    assert float(L) == -1e308


def test_kl_standard_normal_tiny_log_variance_is_accurate():
    from divlib import kl_standard_normal

    lv = 1e-12  # exact: (e^v - 1 - v) / 2 = v^2/4 + v^3/12 + ...
    got = float(kl_standard_normal(np.array([0.0]), np.array([lv]))[0])
    assert got == pytest.approx(lv**2 / 4 + lv**3 / 12, rel=1e-14, abs=0.0)


@pytest.mark.parametrize("scale", [1e-200, 1.0, 1e200])
def test_mode_coverage_is_scale_free(scale):
    from divlib import mode_coverage

    rng = np.random.default_rng(0)
    c = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 4.0]])
    y = c[rng.integers(0, 2, size=50)] + 0.3 * rng.normal(size=(50, 2))
    assert mode_coverage(y * scale, c * scale, radius=0.5 * scale) == mode_coverage(
        y, c, radius=0.5
    )
    with pytest.raises(ValueError, match="radius"):
        mode_coverage(y, c, radius=np.inf)
