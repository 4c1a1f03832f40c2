"""Estimators of KL from samples: knn_kl_divergence and mc_kl (issue 3).

Oracles: kl_gaussian (itself checked against torch.distributions), a
brute-force O(n m) nearest-neighbour implementation with scipy's cdist,
scipy.integrate.quad for the expectation of the biased k2 estimator.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.integrate as si
import scipy.stats as sst
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import cdist

from divlib import kl_gaussian, knn_kl_divergence, mc_kl


def brute_force_wkv(x, y, k):
    """Wang-Kulkarni-Verdu estimate from full distance matrices (no duplicates)."""
    n, d = x.shape
    m = y.shape[0]
    dxx = np.sort(cdist(x, x), axis=1)[:, k]  # column 0 is the point itself
    dxy = np.sort(cdist(x, y), axis=1)[:, k - 1]
    return d * np.mean(np.log(dxy / dxx)) + math.log(m / (n - 1))


# -- knn estimator ------------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 3])
@pytest.mark.parametrize("d", [1, 4])
def test_knn_matches_brute_force(k, d):
    rng = np.random.default_rng(10 * k + d)
    x, y = rng.standard_normal((300, d)), rng.standard_normal((250, d)) + 0.3
    assert knn_kl_divergence(x, y, k=k) == pytest.approx(brute_force_wkv(x, y, k), rel=1e-12)


@pytest.mark.parametrize(
    "m0,C0,m1,C1",
    [
        (0.0, 1.0, 1.0, 1.0),  # KL = 1/2
        ([0.0, 0.0], [[1.0, 0.5], [0.5, 1.0]], [0.5, -0.5], [[2.0, 0.0], [0.0, 0.5]]),
    ],
)
@pytest.mark.parametrize("k", [1, 5])
def test_knn_converges_on_gaussians(m0, C0, m1, C1, k):
    rng = np.random.default_rng(k)
    m0, C0, m1, C1 = (np.atleast_1d(np.asarray(a, dtype=float)) for a in (m0, C0, m1, C1))
    C0, C1 = np.atleast_2d(C0), np.atleast_2d(C1)
    x = rng.multivariate_normal(m0, C0, size=4000)
    y = rng.multivariate_normal(m1, C1, size=4000)
    exact = float(kl_gaussian(m0, C0, m1, C1))
    assert knn_kl_divergence(x, y, k=k) == pytest.approx(exact, abs=0.12)


def test_knn_same_distribution_near_zero():
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((3000, 3)), rng.standard_normal((3000, 3))
    assert abs(knn_kl_divergence(x, y, k=3)) < 0.08


def test_knn_duplicates_counted_once():
    rng = np.random.default_rng(4)
    x, y = rng.standard_normal((400, 2)), rng.standard_normal((300, 2)) + 0.5
    n, m = x.shape[0], y.shape[0]
    base = knn_kl_divergence(x, y)
    # every sample of p twice: the log-ratios are those of x (next distinct
    # neighbour), only the log(m / (n - 1)) term changes
    doubled = knn_kl_divergence(np.repeat(x, 2, axis=0), y)
    assert math.isfinite(doubled)
    assert doubled == pytest.approx(
        base - math.log(m / (n - 1)) + math.log(m / (2 * n - 1)), rel=1e-12
    )
    # y sharing points with x (nu = 0) and y duplicated
    y2 = np.concatenate([y, x[:50], x[:50]])
    assert math.isfinite(knn_kl_divergence(x, y2))
    assert math.isfinite(knn_kl_divergence(x, x))
    assert math.isfinite(knn_kl_divergence(np.repeat(x, 3, axis=0), np.repeat(x, 3, axis=0), k=2))


def test_knn_degenerate_samples_are_finite():
    # every sample at one point: distances floored, no inf, no crash
    z = np.zeros((10, 2))
    assert math.isfinite(knn_kl_divergence(z, z))
    assert math.isfinite(knn_kl_divergence(z, np.ones((5, 2))))
    assert math.isfinite(knn_kl_divergence(np.arange(10.0), np.zeros(7)))


def test_knn_input_forms():
    rng = np.random.default_rng(5)
    x, y = rng.standard_normal(500), rng.standard_normal(400) * 1.5
    a = knn_kl_divergence(x, y, k=2)
    assert isinstance(a, float)
    assert knn_kl_divergence(x[:, None], y[:, None], k=2) == a
    assert knn_kl_divergence(torch.tensor(x), torch.tensor(y), k=2) == pytest.approx(a, rel=1e-12)
    assert knn_kl_divergence(x.tolist(), y.tolist(), k=np.int64(2)) == a


def test_knn_bad_inputs():
    x, y = np.zeros((5, 2)) + np.arange(5)[:, None], np.ones((4, 2))
    for k in (0, -1):
        with pytest.raises(ValueError, match="k must be an integer >= 1"):
            knn_kl_divergence(x, y, k=k)
    with pytest.raises(ValueError, match="k must be a whole number"):
        knn_kl_divergence(x, y, k=1.5)
    for k in (True, "1", None):
        with pytest.raises(TypeError, match="k must be a"):
            knn_kl_divergence(x, y, k=k)
    with pytest.raises(ValueError, match=r"x lives in d = 2 dimensions but y in d = 3"):
        knn_kl_divergence(x, np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"y has 1 NaN entry"):
        knn_kl_divergence(x, np.array([[0.0, np.nan], [1.0, 1.0]]))
    with pytest.raises(ValueError, match=r"x is empty"):
        knn_kl_divergence(np.zeros((0, 2)), y)
    with pytest.raises(ValueError, match=r"x must have shape \(n, d\)"):
        knn_kl_divergence(np.zeros((3, 2, 2)), y)
    with pytest.raises(ValueError, match=r"x has n = 5 samples but k = 5 needs n >= k \+ 1"):
        knn_kl_divergence(x, y, k=5)
    with pytest.raises(ValueError, match=r"y has m = 4 samples but k = 5 needs m >= k"):
        knn_kl_divergence(np.vstack([x, x + 10]), y, k=5)


# -- Monte Carlo estimators -----------------------------------------------------------


P_MEAN, P_STD, Q_MEAN, Q_STD = 0.0, 1.0, 0.4, 1.3


def gaussian_log_densities(rng, shape):
    x = rng.normal(P_MEAN, P_STD, size=shape)  # x ~ p
    return sst.norm.logpdf(x, P_MEAN, P_STD), sst.norm.logpdf(x, Q_MEAN, Q_STD)


@pytest.mark.parametrize("estimator", ["k1", "k3"])
def test_mc_unbiased_on_gaussians(xp, estimator):
    rng = np.random.default_rng(6)
    log_p, log_q = gaussian_log_densities(rng, (400, 200))  # 400 independent runs of n = 200
    runs = np.asarray(mc_kl(xp(log_p), xp(log_q), estimator=estimator))
    assert runs.shape == (400,)
    exact = float(kl_gaussian(P_MEAN, P_STD**2, Q_MEAN, Q_STD**2))
    se = runs.std(ddof=1) / math.sqrt(runs.size)
    assert abs(runs.mean() - exact) < 4 * se


def test_mc_k2_converges_to_its_own_biased_mean(xp):
    rng = np.random.default_rng(7)
    log_p, log_q = gaussian_log_densities(rng, (400, 200))
    runs = np.asarray(mc_kl(xp(log_p), xp(log_q), estimator="k2"))
    p, q = sst.norm(P_MEAN, P_STD), sst.norm(Q_MEAN, Q_STD)
    expected = si.quad(lambda x: 0.5 * (q.logpdf(x) - p.logpdf(x)) ** 2 * p.pdf(x), -12, 12)[0]
    exact = float(kl_gaussian(P_MEAN, P_STD**2, Q_MEAN, Q_STD**2))
    se = runs.std(ddof=1) / math.sqrt(runs.size)
    assert abs(runs.mean() - expected) < 4 * se
    assert abs(expected - exact) > 10 * se  # the bias is real and detectable here


def test_mc_variances_and_signs():
    rng = np.random.default_rng(8)
    log_p, log_q = gaussian_log_densities(rng, (20_000, 1))  # single-sample estimates
    k1, k2, k3 = (np.asarray(mc_kl(log_p, log_q, estimator=e)) for e in ("k1", "k2", "k3"))
    assert (k1 < 0).any()  # k1 per sample can be negative
    assert (k2 >= 0).all() and (k3 >= 0).all()
    # q wider than p: r = q/p grows in the tails of p and k3 is the noisier one
    assert k3.var() > 1.5 * k1.var()
    # q close to p (Schulman's example, N(0, 1) vs N(0.1, 1)): the control variate helps
    x = rng.standard_normal(20_000)
    lp, lq = sst.norm.logpdf(x), sst.norm.logpdf(x, 0.1, 1.0)
    k1, k3 = (np.asarray(mc_kl(lp[:, None], lq[:, None], estimator=e)) for e in ("k1", "k3"))
    assert k3.var() < 0.1 * k1.var()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.floats(-30, 30), st.floats(-30, 30)), min_size=1, max_size=20))
def test_mc_k3_nonnegative_per_sample(pairs):
    log_p, log_q = np.array(pairs).T
    assert float(mc_kl(log_p, log_q, estimator="k3")) >= 0.0
    assert float(mc_kl(log_p, log_q, estimator="k2")) >= 0.0
    # k1 is the plain mean of log p - log q
    assert float(mc_kl(log_p, log_q, estimator="k1")) == pytest.approx(
        np.mean(log_p - log_q), abs=1e-9
    )


def test_mc_default_is_k3_and_zero_for_equal_densities(xp):
    lp = xp([-1.0, -2.0, -0.5])
    assert float(mc_kl(lp, lp)) == 0.0
    a, b = xp([-1.0, -2.0]), xp([-1.5, -1.0])
    assert float(mc_kl(a, b)) == float(mc_kl(a, b, estimator="k3"))


def test_mc_log_q_minus_inf_gives_inf():
    assert float(mc_kl([-1.0, -1.0], [-1.0, -np.inf], estimator="k1")) == math.inf
    assert float(mc_kl([-1.0, -1.0], [-1.0, -np.inf], estimator="k3")) == math.inf


def test_mc_torch_differentiable():
    # gradient of the k1 and k3 estimates in the mean of q = N(mu, 1) at samples of p = N(0, 1)
    rng = np.random.default_rng(9)
    x = torch.tensor(rng.standard_normal(50_000))
    log_p = torch.distributions.Normal(0.0, 1.0).log_prob(x).double()
    for est in ("k1", "k3"):
        mu = torch.tensor(0.7, dtype=torch.float64, requires_grad=True)
        log_q = -0.5 * (x - mu) ** 2 - 0.5 * math.log(2 * math.pi)
        value = mc_kl(log_p, log_q, estimator=est)
        (g,) = torch.autograd.grad(value, (mu,))
        assert isinstance(value, torch.Tensor) and value.dtype == torch.float64
        assert float(g) == pytest.approx(0.7, abs=0.05)  # d/dmu KL = mu
    log_q = torch.tensor(rng.standard_normal(6), requires_grad=True)
    assert torch.autograd.gradcheck(lambda lq: mc_kl(log_p[:6], lq), (log_q,))


def test_mc_bad_inputs():
    with pytest.raises(
        ValueError, match=r"estimator must be one of \('k1', 'k2', 'k3'\), got 'k4'"
    ):
        mc_kl([0.0], [0.0], estimator="k4")
    with pytest.raises(ValueError, match="estimator must be one of"):
        mc_kl([0.0], [0.0], estimator=None)
    with pytest.raises(ValueError, match="log_p has 1 NaN entry"):
        mc_kl([np.nan, 0.0], [0.0, 0.0])
    with pytest.raises(ValueError, match="log_q has 1 NaN entry"):
        mc_kl([0.0, 0.0], [np.nan, 0.0])
    with pytest.raises(ValueError, match="log_p has -inf entries"):
        mc_kl([-np.inf, 0.0], [0.0, 0.0])
    with pytest.raises(ValueError, match=r"log_q has \+inf entries"):
        mc_kl([0.0, 0.0], [np.inf, 0.0])
    with pytest.raises(ValueError, match=r"log_p has 2 samples and log_q has 3 along axis -1"):
        mc_kl([0.0, 0.0], [0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="log_p is empty"):
        mc_kl([], [])


# -- regressions of issue 8 ----------------------------------------------------------------


@pytest.mark.parametrize("s", [1e200, 1e-200, 1e300, 1e-300])
def test_knn_scale_invariant_at_extreme_scales(s):
    # class 4: squared distances overflowed at 1e200 (inf) and underflowed at 1e-200
    # (0, then treated as duplicates)
    rng = np.random.default_rng(21)
    x, y = rng.normal(size=(300, 2)), rng.normal(size=(250, 2)) + 0.7
    want = brute_force_wkv(x, y, 3)
    np.testing.assert_allclose(knn_kl_divergence(s * x, s * y, k=3), want, rtol=1e-9)


def test_knn_mixed_and_integer_inputs():
    rng = np.random.default_rng(22)
    x = rng.integers(-50, 50, size=(200, 2))
    y = rng.normal(size=(150, 2)) * 20
    want = knn_kl_divergence(x.astype(np.float64), y)
    assert knn_kl_divergence(torch.tensor(x), y.tolist()) == want
    assert knn_kl_divergence(
        torch.tensor(x, dtype=torch.float32), torch.tensor(y)
    ) == pytest.approx(want, rel=1e-5)
    with pytest.raises(TypeError, match="y has dtype complex"):
        knn_kl_divergence(x, y + 0j)


def test_mc_kl_1d_argument_aligned_with_axis():
    # class 1: log_q of shape (n,) next to log_p of shape (n, m) with axis=0
    rng = np.random.default_rng(23)
    log_p = rng.normal(size=(50, 3)) - 2.0
    log_q = rng.normal(size=50) - 2.0
    for est in ("k1", "k2", "k3"):
        want = [float(mc_kl(log_p[:, j], log_q, estimator=est)) for j in range(3)]
        np.testing.assert_allclose(mc_kl(log_p, log_q, estimator=est, axis=0), want, rtol=1e-13)


def test_mc_kl_mixed_types_and_float32():
    lp = torch.tensor([-1.0, -2.0, -0.5], dtype=torch.float32)
    assert mc_kl(lp, [-1.5, -1.0, -0.7]).dtype == torch.float32
    got = mc_kl(torch.tensor([-1, -2, -1]), [-1.5, -1.0, -0.5])  # integer tensor: promoted
    lr = np.array([-1.5, -1.0, -0.5]) - np.array([-1.0, -2.0, -1.0])
    assert abs(float(got) - np.mean(np.expm1(lr) - lr)) < 1e-6
