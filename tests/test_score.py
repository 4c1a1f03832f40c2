"""Score functions: Fisher divergence, score matching losses, Langevin samplers, score models.

References are independent of the code under test: the Gaussian closed form is
checked against Monte Carlo with scores from ``torch.distributions`` autograd
and against 1-D quadrature (scipy); the losses against the Fisher divergence
identities they satisfy; the samplers against the moments of the target.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from conftest import npy
from divlib import (
    GaussianMixture,
    LinearScore,
    annealed_langevin_sample,
    denoising_score_matching_loss,
    fisher_divergence,
    fisher_divergence_gaussian,
    hyvarinen_loss,
    langevin_sample,
    sliced_score_matching_loss,
)

# -- helpers ------------------------------------------------------------------------


pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tests/conftest.py


def random_spd(d, rng, scale=1.0):
    B = rng.normal(size=(d, d))
    return scale * (B @ B.T / d + 0.5 * np.eye(d))


def gaussian_score(m, C):
    """The score -C^{-1}(x - m), written in numpy/torch-neutral form (x @ P)."""
    P = np.linalg.inv(C)

    def s(x):
        Pt = torch.as_tensor(P, dtype=x.dtype) if isinstance(x, torch.Tensor) else P
        mt = torch.as_tensor(m, dtype=x.dtype) if isinstance(x, torch.Tensor) else m
        return -(x - mt) @ Pt  # P symmetric

    return s


def autograd_score(dist):
    """Score of a torch.distributions object by autograd of its log_prob."""

    def s(x):
        x = x.detach().requires_grad_(True)
        (g,) = torch.autograd.grad(dist.log_prob(x).sum(), x)
        return g

    return s


def linear_model(A, b):
    """A LinearScore with fixed parameters A, b (float64)."""
    model = LinearScore(len(b), dtype=torch.float64)
    with torch.no_grad():
        model.A.copy_(torch.as_tensor(A))
        model.b.copy_(torch.as_tensor(b))
    return model


# -- Fisher divergence: closed form ----------------------------------------------------


def test_closed_form_matches_monte_carlo_with_torch_distributions_scores():
    rng = np.random.default_rng(0)
    d, n = 3, 200_000
    m0, m1 = rng.normal(size=d), rng.normal(size=d)
    C0, C1 = random_spd(d, rng), random_spd(d, rng)
    p = torch.distributions.MultivariateNormal(torch.as_tensor(m0), torch.as_tensor(C0))
    q = torch.distributions.MultivariateNormal(torch.as_tensor(m1), torch.as_tensor(C1))
    x = torch.as_tensor(rng.multivariate_normal(m0, C0, size=n))
    terms = torch.sum((autograd_score(p)(x) - autograd_score(q)(x)) ** 2, dim=1).numpy()
    mc = float(fisher_divergence(autograd_score(p), autograd_score(q), x))
    exact = float(fisher_divergence_gaussian(m0, C0, m1, C1))
    se = terms.std() / np.sqrt(n)
    assert mc == pytest.approx(terms.mean(), rel=1e-12)
    assert abs(mc - exact) < 4 * se


@pytest.mark.parametrize(
    "m0,v0,m1,v1", [(0.0, 1.0, 1.0, 1.0), (0.5, 0.3, -1.0, 2.0), (2.0, 4.0, 0.0, 0.5)]
)
def test_closed_form_1d_matches_quadrature(m0, v0, m1, v1):
    def integrand(x):
        diff = -(x - m0) / v0 + (x - m1) / v1
        return diff**2 * stats.norm.pdf(x, m0, np.sqrt(v0))

    ref, _ = integrate.quad(integrand, -np.inf, np.inf)
    assert float(fisher_divergence_gaussian(m0, v0, m1, v1)) == pytest.approx(ref, rel=1e-8)


def test_closed_form_both_backends_agree(xp):
    rng = np.random.default_rng(1)
    m0, m1 = rng.normal(size=4), rng.normal(size=4)
    C0, C1 = random_spd(4, rng), random_spd(4, rng)
    out = fisher_divergence_gaussian(xp(m0), xp(C0), xp(m1), xp(C1))
    # independent numpy expression: E||D y + P1 (m0 - m1)||^2 by the covariance of D y
    D = np.linalg.inv(C1) - np.linalg.inv(C0)
    ref = np.trace(D @ C0 @ D.T) + np.sum((np.linalg.inv(C1) @ (m0 - m1)) ** 2)
    if isinstance(xp(m0), torch.Tensor):
        assert isinstance(out, torch.Tensor) and out.dtype == torch.float64 and out.shape == ()
    else:
        assert isinstance(out, (np.ndarray, np.floating)) and np.ndim(out) == 0
    assert float(out) == pytest.approx(ref, rel=1e-10)


def test_closed_form_gradcheck():
    rng = np.random.default_rng(2)
    m0 = torch.tensor(rng.normal(size=2), requires_grad=True)
    m1 = torch.tensor(rng.normal(size=2), requires_grad=True)
    B0 = torch.tensor(rng.normal(size=(2, 2)), requires_grad=True)
    B1 = torch.tensor(rng.normal(size=(2, 2)), requires_grad=True)

    def f(m0, B0, m1, B1):  # parametrise SPD covariances as B B^T + I
        I = torch.eye(2, dtype=torch.float64)
        return fisher_divergence_gaussian(m0, B0 @ B0.T + I, m1, B1 @ B1.T + I)

    assert torch.autograd.gradcheck(f, (m0, B0, m1, B1))


def test_fisher_divergence_gradcheck_through_score_parameters():
    x = torch.as_tensor(np.random.default_rng(3).normal(size=(50, 2)))
    b = torch.tensor([0.3, -0.2], dtype=torch.float64, requires_grad=True)
    a = torch.tensor([1.5], dtype=torch.float64, requires_grad=True)

    def f(a, b):
        return fisher_divergence(lambda x: -x, lambda x: -a * (x - b), x)

    assert torch.autograd.gradcheck(f, (a, b))


@settings(max_examples=30, deadline=None)
@given(
    d=st.integers(1, 4),
    seed=st.integers(0, 2**31 - 1),
    scale=st.floats(0.1, 10.0),
)
def test_closed_form_properties(d, seed, scale):
    rng = np.random.default_rng(seed)
    m0, m1, t = rng.normal(size=d), rng.normal(size=d), rng.normal(size=d)
    C0, C1 = random_spd(d, rng), random_spd(d, rng)
    F = float(fisher_divergence_gaussian(m0, C0, m1, C1))
    assert F >= 0
    assert float(fisher_divergence_gaussian(m0, C0, m0, C0)) == pytest.approx(0.0, abs=1e-9)
    # a common translation changes nothing
    assert float(fisher_divergence_gaussian(m0 + t, C0, m1 + t, C1)) == pytest.approx(
        F, rel=1e-7, abs=1e-9
    )
    # x -> a x: scores scale by 1/a, so F scales by 1/a^2
    Fa = float(fisher_divergence_gaussian(scale * m0, scale**2 * C0, scale * m1, scale**2 * C1))
    assert Fa == pytest.approx(F / scale**2, rel=1e-6, abs=1e-9)


def test_fisher_divergence_is_exact_for_a_constant_score_difference(xp):
    x = xp(np.random.default_rng(4).normal(size=(100, 2)))
    shift = np.array([1.0, -2.0])
    out = fisher_divergence(lambda x: -x, lambda x: -(x - xp(shift)), x)
    assert float(out) == pytest.approx(np.sum(shift**2), rel=1e-12)


def test_fisher_divergence_is_invariant_to_the_normalising_constant():
    """Scores of an unnormalised density (by autograd) give the same estimate."""
    rng = np.random.default_rng(5)
    x = torch.as_tensor(rng.normal(size=(1000, 1)))

    def score_of(log_density):
        def s(x):
            x = x.detach().requires_grad_(True)
            (g,) = torch.autograd.grad(log_density(x).sum(), x)
            return g

        return s

    log_q = lambda x: -((x - 0.5) ** 2).sum(1) / 2.0  # unnormalised N(0.5, 1)
    log_q_scaled = lambda x: log_q(x) + 17.0  # times e^17
    a = fisher_divergence(lambda x: -x, score_of(log_q), x)
    b = fisher_divergence(lambda x: -x, score_of(log_q_scaled), x)
    assert float(a) == float(b) == pytest.approx(0.25)


# -- score matching losses -------------------------------------------------------------


@pytest.fixture(scope="module")
def gaussian_problem():
    rng = np.random.default_rng(6)
    m, C = np.array([1.0, -0.5]), np.array([[1.0, 0.4], [0.4, 0.6]])
    x = torch.as_tensor(rng.multivariate_normal(m, C, size=100_000))
    models = [  # two Gaussian score models N(b, A^{-1})
        (np.array([[1.5, 0.2], [0.2, 1.0]]), np.array([0.5, 0.0])),
        (np.array([[0.8, -0.1], [-0.1, 2.0]]), np.array([1.2, -1.0])),
    ]
    return m, C, x, models


def test_hyvarinen_loss_is_half_fisher_minus_a_model_free_constant(gaussian_problem):
    m, C, x, models = gaussian_problem
    J = [hyvarinen_loss(linear_model(A, b), x).item() for A, b in models]
    F = [float(fisher_divergence_gaussian(m, C, b, np.linalg.inv(A))) for A, b in models]
    # difference between models = difference of F / 2
    assert J[0] - J[1] == pytest.approx((F[0] - F[1]) / 2, rel=0.02)
    # and the constant is -E||grad log p||^2 / 2 = -tr(C^{-1}) / 2
    const = -0.5 * np.trace(np.linalg.inv(C))
    assert J[0] == pytest.approx(F[0] / 2 + const, abs=0.03)


def test_sliced_loss_matches_hyvarinen_loss_in_expectation(gaussian_problem):
    m, C, x, models = gaussian_problem
    for A, b in models:
        model = linear_model(A, b)
        J = hyvarinen_loss(model, x).item()
        for vr, proj in [(True, "gaussian"), (False, "gaussian"), (False, "rademacher")]:
            Js = sliced_score_matching_loss(
                model, x, n_projections=2, projection=proj, variance_reduction=vr, seed=0
            ).item()
            assert Js == pytest.approx(J, abs=0.05), (vr, proj)


def test_sliced_loss_is_exact_for_linear_scores_with_rademacher_directions():
    """v^T A v with v in {-1,1}^d: its mean over v is tr A; check one v by hand."""
    x = torch.as_tensor(np.random.default_rng(7).normal(size=(1, 2)))
    A = np.array([[2.0, 0.5], [0.3, 1.0]])
    model = linear_model(A, np.zeros(2))
    gen = torch.Generator().manual_seed(11)
    v = torch.sign(torch.randn((1, 2), generator=gen, dtype=torch.float64)).numpy()[0]
    s = -A @ x.numpy()[0]
    expected = -v @ A @ v + 0.5 * (v @ s) ** 2
    got = sliced_score_matching_loss(
        model, x, projection="rademacher", variance_reduction=False, seed=11
    )
    assert got.item() == pytest.approx(expected, rel=1e-12)


def test_denoising_loss_is_half_fisher_to_the_noised_density_plus_a_constant(gaussian_problem):
    m, C, x, models = gaussian_problem
    sigma = 0.3
    Cs = C + sigma**2 * np.eye(2)  # p_sigma = N(m, C + sigma^2 I)
    J = [
        denoising_score_matching_loss(linear_model(A, b), x, sigma, seed=0).item()
        for A, b in models
    ]
    F = [float(fisher_divergence_gaussian(m, Cs, b, np.linalg.inv(A))) for A, b in models]
    assert J[0] - J[1] == pytest.approx((F[0] - F[1]) / 2, rel=0.03)


def test_multilevel_denoising_loss_weights_each_level_by_sigma_squared():
    x = torch.as_tensor(np.random.default_rng(8).normal(size=(50_000, 2)))
    sig = 0.5
    # N(0, I) data, exact noised score: single-level minimum is d / (2 sig^2 (1 + sig^2))
    exact = lambda y, s: -y / (1.0 + s[:, None] ** 2)
    single = float(denoising_score_matching_loss(lambda y: -y / (1 + sig**2), x, sig, seed=0))
    weighted = float(denoising_score_matching_loss(exact, x, [sig], noise_conditional=True, seed=0))
    assert single == pytest.approx(2 / (2 * sig**2 * (1 + sig**2)), rel=0.02)
    assert weighted == pytest.approx(sig**2 * single, rel=1e-10)
    # two levels: the mean of the two weighted minima
    both = float(
        denoising_score_matching_loss(exact, x, [1.0, 0.25], noise_conditional=True, seed=0)
    )
    expected = np.mean([s**2 * 2 / (2 * s**2 * (1 + s**2)) for s in (1.0, 0.25)])
    assert both == pytest.approx(expected, rel=0.03)


def test_losses_are_seeded_and_reproducible(gaussian_problem):
    _, _, x, models = gaussian_problem
    model = linear_model(*models[0])
    xs = x[:500]
    for f in (
        lambda s: sliced_score_matching_loss(model, xs, seed=s),
        lambda s: denoising_score_matching_loss(model, xs, 0.5, seed=s),
    ):
        assert f(1).item() == f(1).item()
        assert f(1).item() != f(2).item()


# -- Langevin ------------------------------------------------------------------------------


def test_langevin_matches_gaussian_moments(xp):
    m, C = np.array([1.0, -1.0]), np.array([[1.0, 0.5], [0.5, 0.8]])
    eps, n = 0.05, 8000
    x = langevin_sample(
        gaussian_score(m, C), xp(np.zeros((n, 2))), step_size=eps, n_steps=300, seed=0
    )
    x = npy(x)
    assert x.shape == (n, 2)
    # the unadjusted chain is exactly N(m, C (I - eps C^{-1}/2)^{-1}) at stationarity
    C_eps = C @ np.linalg.inv(np.eye(2) - eps * np.linalg.inv(C) / 2)
    se_mean = np.sqrt(np.diag(C_eps) / n)
    assert np.all(np.abs(x.mean(0) - m) < 4 * se_mean)
    assert np.allclose(np.cov(x.T), C_eps, rtol=0.08, atol=0.03)
    assert np.allclose(np.cov(x.T), C, rtol=0.1, atol=0.05)  # and eps is small


def test_langevin_same_seed_same_chains_in_both_backends():
    score = lambda x: -(x**3)  # p ~ exp(-x^4/4)
    x0 = np.random.default_rng(12).normal(size=(10, 2))
    a = langevin_sample(score, x0, step_size=0.01, n_steps=50, seed=3)
    b = langevin_sample(score, torch.as_tensor(x0), step_size=0.01, n_steps=50, seed=3)
    c = langevin_sample(score, x0, step_size=0.01, n_steps=50, seed=4)
    assert isinstance(b, torch.Tensor) and b.dtype == torch.float64
    assert np.allclose(a, b.numpy(), rtol=1e-12)
    assert np.array_equal(a, langevin_sample(score, x0, step_size=0.01, n_steps=50, seed=3))
    assert not np.allclose(a, c)
    assert np.array_equal(x0, np.random.default_rng(12).normal(size=(10, 2)))  # x0 untouched


def test_langevin_path_and_zero_steps():
    x0 = np.ones((3, 1))
    path = langevin_sample(lambda x: -x, x0, step_size=0.1, n_steps=4, seed=0, return_path=True)
    assert path.shape == (5, 3, 1)
    assert np.array_equal(path[0], x0)
    assert np.array_equal(
        path[-1], langevin_sample(lambda x: -x, x0, step_size=0.1, n_steps=4, seed=0)
    )
    assert np.array_equal(langevin_sample(lambda x: -x, x0, step_size=0.1, n_steps=0), x0)


def test_langevin_float32_torch_keeps_dtype():
    x = langevin_sample(lambda x: -x, torch.zeros(4, 2), step_size=0.1, n_steps=3, seed=0)
    assert x.dtype == torch.float32 and not x.requires_grad


def test_annealed_langevin_finds_both_modes_with_the_right_weights(xp):
    gm = GaussianMixture([[-3.0], [3.0]], covs=0.25, weights=[0.3, 0.7])
    n = 4000
    x0 = xp(np.random.default_rng(13).uniform(-1, 1, size=(n, 1)))
    # step ratio eps / sigma_L^2 = 0.1: small enough for the ULA bias not to move the weights
    x = annealed_langevin_sample(
        gm.score,
        x0,
        np.geomspace(5.0, 0.05, 10),
        step_size=0.1 * 0.05**2,
        n_steps_each=100,
        seed=0,
        denoise=True,
    )
    x = npy(x)[:, 0]
    frac_left = np.mean(x < 0)
    assert abs(frac_left - 0.3) < 4 * np.sqrt(0.3 * 0.7 / n)
    right = x[x > 0]
    assert right.mean() == pytest.approx(3.0, abs=0.05)
    assert right.std() == pytest.approx(0.5, rel=0.08)


def test_annealed_langevin_non_conditional_is_langevin_with_growing_steps():
    score = lambda x: -x
    x0 = np.zeros((5, 2))
    a = annealed_langevin_sample(
        score, x0, [1.0], step_size=0.1, n_steps_each=7, seed=1, noise_conditional=False
    )
    b = langevin_sample(score, x0, step_size=0.1, n_steps=7, seed=1)
    assert np.array_equal(a, b)


def test_annealed_langevin_is_reproducible_and_calls_score_with_per_sample_sigma():
    seen = []

    def score(x, s):
        seen.append(np.unique(s))
        assert s.shape == (x.shape[0],)
        return -x / (1 + s[:, None] ** 2)

    x0 = np.zeros((6, 2))
    a = annealed_langevin_sample(score, x0, [2.0, 1.0], step_size=0.1, n_steps_each=2, seed=5)
    b = annealed_langevin_sample(score, x0, [2.0, 1.0], step_size=0.1, n_steps_each=2, seed=5)
    assert np.array_equal(a, b)
    assert [float(u[0]) for u in seen[:4]] == [2.0, 2.0, 1.0, 1.0]


def test_progress_bar_is_drawn_only_when_asked(capsys):
    x = langevin_sample(
        lambda x: -x, np.zeros((2, 1)), step_size=0.1, n_steps=3, seed=0, progress=True
    )
    assert x.shape == (2, 1)
    assert "Langevin" in capsys.readouterr().err
    annealed_langevin_sample(
        lambda x, s: -x, np.zeros((2, 1)), [1.0], step_size=0.1, n_steps_each=3, seed=0
    )
    assert capsys.readouterr().err == ""


# -- bad input ------------------------------------------------------------------------------


def test_fisher_divergence_bad_input(xp):
    x = xp(np.zeros((5, 2)))
    with pytest.raises(ValueError, match=r"x must have shape \(n, d\)"):
        fisher_divergence(lambda x: x, lambda x: x, xp(np.zeros(5)))
    with pytest.raises(ValueError, match="score_q returned shape"):
        fisher_divergence(lambda x: x, lambda x: x[:, :1], x)
    with pytest.raises(ValueError, match="x has 1 NaN entry"):
        fisher_divergence(lambda x: x, lambda x: x, xp([[np.nan, 0.0]]))
    with pytest.raises(ValueError, match=r"score_p\(x\) has 10 infinite entries"):
        fisher_divergence(lambda x: x + np.inf, lambda x: x, x)
    with pytest.raises(ValueError, match="is empty"):
        fisher_divergence(lambda x: x, lambda x: x, xp(np.zeros((0, 2))))


def test_fisher_divergence_gaussian_bad_input():
    with pytest.raises(ValueError, match=r"m0 .*d = 2 .*m1 .*d = 3"):
        fisher_divergence_gaussian(np.zeros(2), np.eye(2), np.zeros(3), np.eye(3))
    with pytest.raises(ValueError, match="C1 is not positive definite"):
        fisher_divergence_gaussian(np.zeros(2), np.eye(2), np.zeros(2), -np.eye(2))
    with pytest.raises(ValueError, match="C0 is not symmetric"):
        fisher_divergence_gaussian(np.zeros(2), [[1.0, 0.5], [0.0, 1.0]], np.zeros(2), np.eye(2))
    with pytest.raises(ValueError, match="C0 has shape"):
        fisher_divergence_gaussian(np.zeros(2), np.eye(3), np.zeros(2), np.eye(2))


def test_loss_bad_input():
    x = torch.zeros(4, 2, dtype=torch.float64)
    model = LinearScore(2, dtype=torch.float64)
    for loss in (hyvarinen_loss, sliced_score_matching_loss):
        with pytest.raises(ValueError, match="score_fn returned shape"):
            loss(lambda y: y[:, :1] * 2, x)
        with pytest.raises(ValueError, match="autograd"):
            loss(lambda y: torch.zeros_like(y.detach()), x)
        with pytest.raises(ValueError, match=r"shape \(n, d\)"):
            loss(model, torch.zeros(4))
        with pytest.raises(ValueError, match="NaN"):
            loss(model, torch.full((4, 2), float("nan")))
    with pytest.raises(ValueError, match="n_projections must be an integer >= 1"):
        sliced_score_matching_loss(model, x, n_projections=0)
    with pytest.raises(ValueError, match="projection must be"):
        sliced_score_matching_loss(model, x, projection="uniform")
    with pytest.raises(ValueError, match="either generator or seed"):
        sliced_score_matching_loss(model, x, generator=torch.Generator(), seed=1)
    with pytest.raises(ValueError, match=r"sigma must be finite and > 0"):
        denoising_score_matching_loss(model, x, 0.0)
    with pytest.raises(ValueError, match=r"sigma must be finite and > 0"):
        denoising_score_matching_loss(model, x, [1.0, -0.5], noise_conditional=True)
    with pytest.raises(ValueError, match=r"sigma must be finite and > 0"):
        denoising_score_matching_loss(model, x, float("nan"))
    with pytest.raises(ValueError, match="noise_conditional is False"):
        denoising_score_matching_loss(model, x, [1.0, 0.5])
    with pytest.raises(ValueError, match="score_fn returned shape"):
        denoising_score_matching_loss(lambda y: y[:, :1], x, 0.5)


def test_langevin_bad_input():
    x0 = np.zeros((3, 2))
    s = lambda x: -x
    for bad in (0.0, -0.1, float("nan")):
        with pytest.raises(ValueError, match="step_size must be"):
            langevin_sample(s, x0, step_size=bad, n_steps=2)
    with pytest.raises(TypeError, match="step_size must be a number"):
        langevin_sample(s, x0, step_size="big", n_steps=2)
    with pytest.raises(ValueError, match="n_steps must be an integer >= 0"):
        langevin_sample(s, x0, step_size=0.1, n_steps=-1)
    with pytest.raises(ValueError, match="n_steps must be a whole number"):
        langevin_sample(s, x0, step_size=0.1, n_steps=1.5)
    with pytest.raises(TypeError, match="n_steps must be a real number"):
        langevin_sample(s, x0, step_size=0.1, n_steps=True)
    with pytest.raises(ValueError, match=r"x0 must have shape \(n, d\)"):
        langevin_sample(s, np.zeros(3), step_size=0.1, n_steps=2)
    with pytest.raises(ValueError, match="score_fn returned shape"):
        langevin_sample(lambda x: x[:, 0], x0, step_size=0.1, n_steps=2)
    with pytest.raises(ValueError, match="x0 has 1 NaN entry"):
        langevin_sample(s, np.array([[np.nan, 1.0]]), step_size=0.1, n_steps=2)


def test_annealed_langevin_bad_input():
    x0 = np.zeros((3, 2))
    s = lambda x, sig: -x
    with pytest.raises(ValueError, match="non-increasing"):
        annealed_langevin_sample(s, x0, [0.1, 1.0], step_size=0.1, n_steps_each=2)
    with pytest.raises(ValueError, match=r"sigmas must be finite and > 0"):
        annealed_langevin_sample(s, x0, [1.0, 0.0], step_size=0.1, n_steps_each=2)
    with pytest.raises(ValueError, match="sigmas must be a number or a non-empty 1-D sequence"):
        annealed_langevin_sample(s, x0, [], step_size=0.1, n_steps_each=2)
    with pytest.raises(ValueError, match="n_steps_each must be an integer >= 1"):
        annealed_langevin_sample(s, x0, [1.0], step_size=0.1, n_steps_each=0)
    with pytest.raises(ValueError, match="step_size must be"):
        annealed_langevin_sample(s, x0, [1.0], step_size=-1.0, n_steps_each=2)
    with pytest.raises(ValueError, match="score_fn returned shape"):
        annealed_langevin_sample(lambda x, sig: sig, x0, [1.0], step_size=0.1, n_steps_each=2)


# -- issue 17: silent wrong answers and crashes -------------------------------------


def test_annealed_langevin_has_return_path():
    x0 = np.zeros((4, 1))
    path = annealed_langevin_sample(
        lambda x, s: -x,
        x0,
        [1.0, 0.5],
        step_size=0.1,
        n_steps_each=3,
        seed=0,
        return_path=True,
    )
    assert path.shape == (7, 4, 1)
    last = annealed_langevin_sample(
        lambda x, s: -x, x0, [1.0, 0.5], step_size=0.1, n_steps_each=3, seed=0
    )
    np.testing.assert_array_equal(path[-1], last)
    with pytest.raises(TypeError, match="return_path"):
        annealed_langevin_sample(
            lambda x, s: -x, x0, [1.0], step_size=0.1, n_steps_each=1, return_path="no"
        )


def test_langevin_score_of_the_other_backend_is_refused_by_name():
    with pytest.raises(TypeError, match="score_fn returned a torch.Tensor"):
        langevin_sample(lambda x: torch.as_tensor(-x), np.zeros((3, 1)), step_size=0.1, n_steps=2)


def test_denoising_loss_takes_the_seeds_every_sampler_takes():
    x = torch.zeros(5, 1)
    a = denoising_score_matching_loss(lambda y: -y, x, 0.5, seed=np.random.default_rng(0))
    b = denoising_score_matching_loss(lambda y: -y, x, 0.5, seed=np.random.default_rng(0))
    assert float(a) == float(b)
    c = denoising_score_matching_loss(lambda y: -y, x, 0.5, seed=2**53)
    d = denoising_score_matching_loss(lambda y: -y, x, 0.5, seed=2**53 + 1)
    assert float(c) != float(d)


def test_a_differentiated_noise_level_is_refused_not_silently_zero():
    def loss(s):
        return denoising_score_matching_loss(lambda x: -x, torch.zeros(4, 1), s, seed=0)

    with pytest.raises(TypeError, match="sigma is a tensor being differentiated"):
        torch.func.grad(loss)(torch.tensor(0.5))
