"""Tests of divlib._diffusion against independent references.

References: scipy quadrature of beta(t), Ho et al.'s published DDPM betas, a direct
product loop, Euler-Maruyama simulation of the forward SDE, closed-form Gaussian
marginals and their exact scores, divlib.fisher_divergence_gaussian, and the affine
probability-flow map of Gaussian data (derived in book/diffusion.md).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy import integrate

from conftest import npy
from divlib import (
    VPSchedule,
    fisher_divergence_gaussian,
    probability_flow_sample,
    reverse_sde_sample,
    vp_denoising_loss,
)

SCH = VPSchedule()
M = np.array([1.0, -0.5])
C = np.array([[0.5, 0.2], [0.2, 0.3]])


def gaussian_marginal(t, m=M, Cd=C, sch=SCH):
    """Mean and covariance of p_t for data N(m, Cd): (alpha m, alpha^2 Cd + sigma^2 I)."""
    a = np.exp(-0.5 * (sch.beta_min * t + 0.5 * (sch.beta_max - sch.beta_min) * t**2))
    return a * m, a**2 * Cd + (1 - a**2) * np.eye(len(m))


def gaussian_score(x, t):
    """Exact score of p_t for N(M, C) data; x (n, 2), t (n,) (numpy or torch)."""
    t0 = float(t[0])
    mean, cov = gaussian_marginal(t0)
    P = np.linalg.inv(cov)
    if isinstance(x, torch.Tensor):
        return -(x - torch.as_tensor(mean, dtype=x.dtype)) @ torch.as_tensor(P, dtype=x.dtype)
    return -(x - mean) @ P


def sqrtm(S):
    w, U = np.linalg.eigh(S)
    return U @ np.diag(np.sqrt(w)) @ U.T


# -- the schedule ---------------------------------------------------------------------


@pytest.mark.parametrize("beta_min, beta_max", [(0.1, 20.0), (1.0, 1.0), (0.0, 5.0)])
def test_alpha_bar_is_exp_of_minus_the_integral_of_beta(beta_min, beta_max):
    sch = VPSchedule(beta_min, beta_max)
    for t in (0.0, 1e-4, 0.3, 0.7, 1.0, 1.5):
        B, _ = integrate.quad(lambda s: beta_min + s * (beta_max - beta_min), 0.0, t)
        assert float(sch.alpha_bar(t)) == pytest.approx(np.exp(-B), rel=1e-10, abs=1e-300)
        assert float(sch.integral(t)) == pytest.approx(B, rel=1e-10, abs=1e-15)


def test_marginal_is_variance_preserving_and_accurate_at_tiny_t():
    t = np.array([0.0, 1e-12, 1e-6, 0.5, 1.0])
    alpha, sigma = SCH.marginal(t)
    np.testing.assert_allclose(alpha**2 + sigma**2, 1.0, rtol=1e-14)
    # sigma^2 = 1 - exp(-B) ~ B = beta_min t for tiny t: no cancellation
    assert sigma[1] ** 2 == pytest.approx(0.1 * 1e-12, rel=1e-6)
    assert sigma[0] == 0.0


def test_ddpm_betas_are_ho_et_al_published_schedule():
    betas, alpha_bars = SCH.ddpm_betas(1000)
    np.testing.assert_allclose(betas, np.linspace(1e-4, 0.02, 1000), rtol=1e-12)
    prod, direct = 1.0, []
    for b in betas:  # the product written out
        prod *= 1.0 - b
        direct.append(prod)
    np.testing.assert_allclose(alpha_bars, direct, rtol=1e-12)


def test_ddpm_alpha_bar_converges_to_the_continuous_schedule():
    gaps = []
    for n in (250, 1000, 4000):
        _, ab = SCH.ddpm_betas(n)
        t = np.arange(1, n + 1) / n
        gaps.append(np.max(np.abs(np.log(ab) - np.log(SCH.alpha_bar(t)))))
    assert gaps[0] / gaps[1] == pytest.approx(4.0, rel=0.15)  # O(1/N)
    assert gaps[1] / gaps[2] == pytest.approx(4.0, rel=0.15)
    assert gaps[2] < 0.02


@pytest.mark.parametrize("beta_min, beta_max", [(0.1, 20.0), (2.0, 2.0), (0.0, 3.0)])
def test_t_from_alpha_bar_inverts_alpha_bar(beta_min, beta_max):
    sch = VPSchedule(beta_min, beta_max)
    t = np.array([1e-5, 0.01, 0.2, 0.9, 1.0, 1.3])
    # alpha_bar near 1 carries ~1e-16 absolute rounding, so tiny t is known to ~1e-10
    np.testing.assert_allclose(sch.t_from_alpha_bar(sch.alpha_bar(t)), t, rtol=1e-9, atol=1e-9)
    assert float(sch.t_from_alpha_bar(1.0)) == 0.0


def test_forward_sde_simulation_has_the_closed_form_marginal():
    rng = np.random.default_rng(0)
    x = rng.multivariate_normal(M, C, size=40_000)
    h = 1e-3
    for k in range(500):  # Euler-Maruyama of dx = -beta x / 2 dt + sqrt(beta) dW to t = 0.5
        b = 0.1 + k * h * 19.9
        x = x - 0.5 * b * x * h + np.sqrt(b * h) * rng.normal(size=x.shape)
    mean, cov = gaussian_marginal(0.5)
    np.testing.assert_allclose(x.mean(0), mean, atol=0.02)
    np.testing.assert_allclose(np.cov(x.T), cov, atol=0.02)


def test_perturb_draws_the_marginal_and_returns_its_noise():
    x0 = np.random.default_rng(1).multivariate_normal(M, C, size=100_000)
    x_t, z = SCH.perturb(x0, 0.2, seed=2)
    alpha, sigma = SCH.marginal(0.2)
    np.testing.assert_allclose(x_t, alpha * x0 + sigma * z, rtol=1e-12)
    mean, cov = gaussian_marginal(0.2)
    np.testing.assert_allclose(x_t.mean(0), mean, atol=0.01)
    np.testing.assert_allclose(np.cov(x_t.T), cov, atol=0.01)
    # one time per sample
    t = np.linspace(0.0, 1.0, 5)
    x_t, z = SCH.perturb(np.ones((5, 2)), t, seed=3)
    a, s = SCH.marginal(t)
    np.testing.assert_allclose(x_t, a[:, None] + s[:, None] * z)


def test_schedule_torch_in_torch_out_and_differentiable():
    t = torch.tensor([0.1, 0.5], dtype=torch.float64, requires_grad=True)
    ab = SCH.alpha_bar(t)
    assert isinstance(ab, torch.Tensor) and ab.dtype == torch.float64
    np.testing.assert_allclose(ab.detach().numpy(), SCH.alpha_bar(t.detach().numpy()), rtol=1e-14)
    (g,) = torch.autograd.grad(ab.sum(), t)  # d alpha_bar / dt = -beta(t) alpha_bar(t)
    np.testing.assert_allclose(g.numpy(), -(SCH.beta(t) * ab).detach().numpy(), rtol=1e-12)
    x_np, z_np = SCH.perturb(np.ones((3, 2)), 0.3, seed=4)
    x_th, z_th = SCH.perturb(torch.ones(3, 2, dtype=torch.float64), 0.3, seed=4)
    np.testing.assert_allclose(x_th.numpy(), x_np, rtol=1e-14)


# -- the denoising loss -------------------------------------------------------------------


def test_dsm_loss_of_the_exact_score_is_the_closed_form_minimum():
    x0 = np.random.default_rng(5).multivariate_normal(M, C, size=200_000)
    for t in (0.05, 0.3):
        _, cov = gaussian_marginal(t)
        _, sigma = SCH.marginal(t)
        c_t = 0.5 * (2 / sigma**2 - np.trace(np.linalg.inv(cov)))
        L = vp_denoising_loss(gaussian_score, x0, SCH, t=t, weighting="none", seed=6)
        assert float(L) == pytest.approx(c_t, rel=0.02)


def test_dsm_minus_half_fisher_is_the_same_constant_for_two_models():
    """DSM_t(model) - F(p_t || model) / 2 does not depend on the model (Vincent 2011)."""
    x0 = np.random.default_rng(7).multivariate_normal(M, C, size=400_000)
    t = 0.2
    mean, cov = gaussian_marginal(t)
    _, sigma = SCH.marginal(t)
    c_t = 0.5 * (2 / sigma**2 - np.trace(np.linalg.inv(cov)))
    models = [
        (np.array([[1.5, 0.2], [0.2, 1.0]]), np.array([0.5, 0.0])),  # N(b, A^-1)
        (np.array([[0.8, -0.1], [-0.1, 2.0]]), np.array([1.2, -1.0])),
    ]
    for A, b in models:
        L = vp_denoising_loss(
            lambda x, t_, A=A, b=b: -(x - b) @ A.T, x0, SCH, t=t, weighting="none", seed=8
        )
        F = float(fisher_divergence_gaussian(mean, cov, b, np.linalg.inv(A)))
        assert float(L) - F / 2 == pytest.approx(c_t, abs=0.03)


def test_dsm_weightings():
    x0 = np.random.default_rng(9).normal(size=(1000, 2))
    score = lambda x, t: -x / (1 + t[:, None])
    t = 0.4
    none = float(vp_denoising_loss(score, x0, SCH, t=t, weighting="none", seed=1))
    _, sigma = SCH.marginal(t)
    sig2 = float(vp_denoising_loss(score, x0, SCH, t=t, weighting="sigma2", seed=1))
    lik = float(vp_denoising_loss(score, x0, SCH, t=t, weighting="likelihood", seed=1))
    assert sig2 == pytest.approx(sigma**2 * none, rel=1e-12)
    assert lik == pytest.approx(float(SCH.beta(t)) * none, rel=1e-12)


def test_dsm_loss_random_times_lie_in_t_min_1_and_average_the_fixed_time_losses():
    seen = []

    def score(x, t):
        seen.append(np.asarray(t))
        return -x

    x0 = np.random.default_rng(10).normal(size=(50_000, 1))
    L = vp_denoising_loss(score, x0, SCH, t_min=0.3, weighting="sigma2", seed=2)
    t = seen[0]
    assert t.shape == (50_000,) and t.min() >= 0.3 and t.max() <= 1.0
    # N(0, 1) data: p_t = N(0, 1), score -x; sigma^2-weighted minimum = (1 - sigma_t^2) / 2 per dim
    expected, _ = integrate.quad(lambda s: 0.5 * (1 - SCH.marginal(s)[1] ** 2), 0.3, 1.0)
    assert float(L) == pytest.approx(expected / 0.7, abs=0.01)


def test_dsm_loss_torch_matches_numpy_and_is_differentiable():
    x0 = np.random.default_rng(11).normal(size=(256, 2))
    w = torch.tensor(0.7, dtype=torch.float64, requires_grad=True)
    L_t = vp_denoising_loss(lambda x, t: -w * x, torch.as_tensor(x0), SCH, seed=3)
    L_n = vp_denoising_loss(lambda x, t: -0.7 * x, x0, SCH, seed=3)
    assert isinstance(L_t, torch.Tensor) and L_t.shape == ()
    assert L_t.item() == pytest.approx(float(L_n), rel=1e-12)
    L_t.backward()
    assert w.grad is not None and torch.isfinite(w.grad)
    # float32 data keeps float32
    L32 = vp_denoising_loss(lambda x, t: -x, torch.as_tensor(x0, dtype=torch.float32), SCH, seed=3)
    assert L32.dtype == torch.float32


def test_dsm_loss_accepts_integer_data():
    xi = np.array([[1, 2], [3, 4]])
    a = vp_denoising_loss(lambda x, t: -x, xi, SCH, t=0.5, seed=0)
    b = vp_denoising_loss(lambda x, t: -x, xi.astype(float), SCH, t=0.5, seed=0)
    assert float(a) == float(b)


# -- samplers -----------------------------------------------------------------------------


def test_reverse_sde_with_the_exact_score_recovers_the_gaussian_data():
    x1 = np.random.default_rng(12).normal(size=(30_000, 2))
    x = reverse_sde_sample(gaussian_score, x1, SCH, n_steps=500, seed=13)
    se = np.sqrt(np.diag(C) / len(x))
    assert np.all(np.abs(x.mean(0) - M) < 4 * se + 0.01)
    np.testing.assert_allclose(np.cov(x.T), C, atol=0.02)


def test_probability_flow_is_the_affine_gaussian_map_and_pushes_noise_to_the_data():
    x1 = np.random.default_rng(14).normal(size=(20_000, 2))
    t_min = 1e-3
    x = probability_flow_sample(gaussian_score, x1, SCH, n_steps=200, t_min=t_min)
    m1, S1 = gaussian_marginal(1.0)
    m0, S0 = gaussian_marginal(t_min)
    affine = m0 + (x1 - m1) @ (sqrtm(S0) @ np.linalg.inv(sqrtm(S1))).T
    assert np.abs(x - affine).max() < 1e-3
    np.testing.assert_allclose(x.mean(0), M, atol=0.02)
    np.testing.assert_allclose(np.cov(x.T), C, atol=0.02)


@pytest.mark.parametrize("method, order", [("euler", 1), ("heun", 2)])
def test_probability_flow_convergence_order(method, order):
    x1 = np.random.default_rng(15).normal(size=(200, 2))
    m1, S1 = gaussian_marginal(1.0)
    m0, S0 = gaussian_marginal(1e-3)
    exact = m0 + (x1 - m1) @ (sqrtm(S0) @ np.linalg.inv(sqrtm(S1))).T
    errs = [
        np.abs(
            probability_flow_sample(gaussian_score, x1, SCH, n_steps=n, method=method) - exact
        ).max()
        for n in (100, 200)
    ]
    assert errs[0] / errs[1] == pytest.approx(2.0**order, rel=0.2)


def test_samplers_torch_in_torch_out_same_numbers():
    x1 = np.random.default_rng(16).normal(size=(100, 2))
    for f, kw in ((reverse_sde_sample, {"seed": 1}), (probability_flow_sample, {})):
        a = f(gaussian_score, x1, SCH, n_steps=20, **kw)
        b = f(gaussian_score, torch.as_tensor(x1), SCH, n_steps=20, **kw)
        assert isinstance(b, torch.Tensor) and b.dtype == torch.float64
        np.testing.assert_allclose(npy(b), a, rtol=1e-10, atol=1e-12)


def test_sampler_path_and_denoise():
    x1 = np.random.default_rng(17).normal(size=(50, 2))
    for f, kw in ((reverse_sde_sample, {"seed": 2}), (probability_flow_sample, {})):
        path = f(gaussian_score, x1, SCH, n_steps=30, return_path=True, **kw)
        last = f(gaussian_score, x1, SCH, n_steps=30, **kw)
        assert path.shape == (31, 50, 2)
        np.testing.assert_array_equal(path[0], x1)
        np.testing.assert_array_equal(path[-1], last)
        den = f(gaussian_score, x1, SCH, n_steps=30, t_min=0.05, denoise=True, **kw)
        raw = f(gaussian_score, x1, SCH, n_steps=30, t_min=0.05, **kw)
        alpha, sigma = SCH.marginal(0.05)  # Tweedie: E[x_0 | x_t]
        tweedie = (raw + sigma**2 * gaussian_score(raw, np.full(50, 0.05))) / alpha
        np.testing.assert_allclose(den, tweedie, rtol=1e-12)


def test_score_receives_decreasing_times_of_shape_n():
    seen = []

    def score(x, t):
        seen.append(np.asarray(t).copy())
        return -x

    reverse_sde_sample(score, np.zeros((7, 2)), SCH, n_steps=4, t_min=0.2, seed=0)
    assert [s.shape for s in seen] == [(7,)] * 4
    np.testing.assert_allclose([s[0] for s in seen], [1.0, 0.8, 0.6, 0.4])


# -- hostile input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"beta_min": -1.0}, ValueError, "beta_min must be a number >= 0"),
        ({"beta_min": float("nan")}, ValueError, "beta_min must be a number, got NaN"),
        ({"beta_max": float("inf")}, ValueError, "beta_max must be a number < inf"),
        ({"beta_min": 5.0, "beta_max": 1.0}, ValueError, "beta_max must be >= beta_min"),
        ({"beta_min": 0.0, "beta_max": 0.0}, ValueError, "beta_max must be > 0"),
        ({"beta_min": True}, TypeError, "beta_min must be a real number"),
        ({"beta_max": 1 + 2j}, TypeError, "beta_max must be a real number"),
    ],
)
def test_schedule_rejects_bad_rates(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        VPSchedule(**kwargs)


def test_schedule_rejects_bad_times():
    msg = r"t has 1 out-of-range entry \(e.g. -0.1\); every entry must be >= 0"
    with pytest.raises(ValueError, match=msg):
        SCH.alpha_bar(np.array([0.5, -0.1]))
    with pytest.raises(ValueError, match="t has 1 NaN entry"):
        SCH.marginal(np.array([np.nan, 0.5]))
    with pytest.raises(TypeError, match="t has dtype complex128"):
        SCH.beta(np.array([0.5 + 1j]))
    with pytest.raises(ValueError, match="alpha_bar must be > 0"):
        SCH.t_from_alpha_bar(0.0)
    with pytest.raises(ValueError, match="alpha_bar has 1 out-of-range entry.*<= 1"):
        SCH.t_from_alpha_bar(1.5)
    with pytest.raises(ValueError, match="must be a number or have shape"):
        SCH.perturb(np.zeros((3, 2)), np.array([0.1, 0.2]), seed=0)
    with pytest.raises(ValueError, match="x0 must have shape"):
        SCH.perturb(np.zeros(3), 0.1)


@pytest.mark.parametrize(
    "n, match",
    [
        (1, "n_steps must be an integer >= 2"),
        (2.5, "n_steps must be a whole number"),
        (10, r"beta_N = beta_max / n_steps = 2 >= 1"),
        (True, "n_steps must be a real number"),
    ],
)
def test_ddpm_betas_rejects_bad_step_counts(n, match):
    with pytest.raises((ValueError, TypeError), match=match):
        SCH.ddpm_betas(n)


def test_loss_rejects_bad_input():
    x = np.zeros((4, 2))
    good = lambda y, t: -y
    with pytest.raises(TypeError, match="score_fn must be callable"):
        vp_denoising_loss(3.0, x, SCH)
    with pytest.raises(TypeError, match="schedule must be a divlib.VPSchedule"):
        vp_denoising_loss(good, x, "vp")
    with pytest.raises(ValueError, match="x has 1 NaN entry"):
        vp_denoising_loss(good, np.array([[np.nan, 0.0]]), SCH)
    with pytest.raises(ValueError, match=r"x must have shape \(n, d\)"):
        vp_denoising_loss(good, np.zeros(4), SCH)
    with pytest.raises(ValueError, match=r"x is empty"):
        vp_denoising_loss(good, np.zeros((0, 2)), SCH)
    msg = r"weighting must be one of \('sigma2', 'likelihood', 'none'\)"
    with pytest.raises(ValueError, match=msg):
        vp_denoising_loss(good, x, SCH, weighting="snr")
    with pytest.raises(ValueError, match="t must be > 0"):
        vp_denoising_loss(good, x, SCH, t=0.0)
    with pytest.raises(ValueError, match="t_min must be a number > 0"):
        vp_denoising_loss(good, x, SCH, t_min=0.0)
    with pytest.raises(ValueError, match="t_min must be a number < 1"):
        vp_denoising_loss(good, x, SCH, t_min=1.0)
    with pytest.raises(ValueError, match=r"score_fn returned shape \(4, 3\)"):
        vp_denoising_loss(lambda y, t: np.zeros((4, 3)), x, SCH)
    with pytest.raises(ValueError, match="score_fn\\(x\\) has 8 NaN entries"):
        vp_denoising_loss(lambda y, t: np.full((4, 2), np.nan), x, SCH)
    with pytest.raises(TypeError, match="x has dtype bool"):
        vp_denoising_loss(good, np.zeros((4, 2), dtype=bool), SCH)
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
        vp_denoising_loss(good, x, SCH, seed=-1)


def test_samplers_reject_bad_input():
    x = np.zeros((4, 2))
    good = lambda y, t: -y
    for f in (reverse_sde_sample, probability_flow_sample):
        with pytest.raises(ValueError, match="n_steps must be an integer >= 1"):
            f(good, x, SCH, n_steps=0)
        with pytest.raises(ValueError, match="n_steps must be a whole number"):
            f(good, x, SCH, n_steps=2.5)
        with pytest.raises(TypeError, match="n_steps must be a real number"):
            f(good, x, SCH, n_steps=True)
        with pytest.raises(ValueError, match="t_min must be a number < 1"):
            f(good, x, SCH, n_steps=3, t_min=1.0)
        with pytest.raises(ValueError, match="x_T has 1 infinite entry"):
            f(good, np.array([[np.inf, 0.0]]), SCH, n_steps=3)
        with pytest.raises(ValueError, match=r"score_fn returned shape \(4,\)"):
            f(lambda y, t: y[:, 0], x, SCH, n_steps=3)
        with pytest.raises(TypeError, match="schedule must be a divlib.VPSchedule"):
            f(good, x, None, n_steps=3)
    with pytest.raises(ValueError, match=r"method must be one of \('euler', 'heun'\)"):
        probability_flow_sample(good, x, SCH, n_steps=3, method="rk4")


# -- issue 17: silent wrong answers and crashes -------------------------------------

import divlib as dl  # noqa: E402


def _zero_score(x, t):
    return x * 0.0


def test_reverse_sde_reports_a_diverged_chain():
    with pytest.raises(ValueError, match="diverged.*n_steps"):
        dl.reverse_sde_sample(
            _zero_score, np.ones((3, 1)), dl.VPSchedule(0.1, 1e6), n_steps=300, seed=0
        )


@pytest.mark.parametrize("flag", ["no", 1, None])
@pytest.mark.parametrize("name", ["denoise", "return_path", "progress"])
@pytest.mark.parametrize("sampler", [dl.reverse_sde_sample, dl.probability_flow_sample])
def test_sampler_flags_must_be_bool(sampler, name, flag):
    with pytest.raises(TypeError, match=name):
        sampler(_zero_score, np.ones((3, 1)), dl.VPSchedule(), n_steps=2, **{name: flag})


def test_t_min_checked_when_t_is_given():
    x = np.ones((3, 1))
    with pytest.raises(ValueError, match="t_min"):
        dl.vp_denoising_loss(_zero_score, x, dl.VPSchedule(), t=0.5, t_min=-1.0)


def test_numpy_float32_stays_float32():
    x = np.random.default_rng(0).normal(size=(4, 2)).astype(np.float32)
    sch = dl.VPSchedule()
    xt, z = sch.perturb(x, 0.5, seed=0)
    assert xt.dtype == np.float32 and z.dtype == np.float32
    assert dl.vp_denoising_loss(_zero_score, x, sch, seed=0).dtype == np.float32
    for sampler in (dl.reverse_sde_sample, dl.probability_flow_sample):
        assert sampler(_zero_score, x, sch, n_steps=3).dtype == np.float32


def test_score_of_the_other_backend_is_refused_by_name():
    with pytest.raises(TypeError, match="score_fn returned a torch.Tensor"):
        dl.reverse_sde_sample(
            lambda x, t: torch.as_tensor(x), np.ones((3, 1)), dl.VPSchedule(), n_steps=2
        )


def test_seeds_are_exact_integers():
    x, sch = np.ones((3, 1)), dl.VPSchedule()
    a = dl.reverse_sde_sample(_zero_score, x, sch, n_steps=2, seed=2**53)
    b = dl.reverse_sde_sample(_zero_score, x, sch, n_steps=2, seed=2**53 + 1)
    assert not np.array_equal(a, b)
    dl.reverse_sde_sample(_zero_score, x, sch, n_steps=2, seed=2**64 - 1)
    with pytest.raises(ValueError, match="seed"):
        dl.reverse_sde_sample(_zero_score, x, sch, n_steps=2, seed=1.5)
