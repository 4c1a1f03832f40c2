"""Tests of divlib._flows: RBF kernel, median heuristic, SVGD.

References are independent of the code under test: double loops over the
particles, torch autograd for the kernel gradient, scipy's pdist for the median
heuristic, a closed-form fixed point of two-particle SVGD, and the moments of a
Gaussian target.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.spatial.distance import pdist

from conftest import npy
from divlib import median_bandwidth, rbf_kernel, svgd_direction, svgd_sample, svgd_step

RNG = np.random.default_rng(12345)


def _phi_double_loop(x, score, h):
    """SVGD direction by its definition, with grad_{x_j} k(x_j, x_i) from torch autograd."""
    n = len(x)
    s = score(x)
    phi = np.zeros_like(x)
    for i in range(n):
        for j in range(n):
            xj = torch.tensor(x[j], requires_grad=True)
            k = torch.exp(-torch.sum((xj - torch.tensor(x[i])) ** 2) / h)
            (g,) = torch.autograd.grad(k, xj)
            phi[i] += k.item() * s[j] + g.numpy()
    return phi / n


# -- kernel ----------------------------------------------------------------------------


def test_rbf_kernel_matches_double_loop(xp):
    x, y = RNG.normal(size=(7, 3)), RNG.normal(size=(5, 3))
    h = 1.7
    ref = np.array([[np.exp(-np.sum((a - b) ** 2) / h) for b in y] for a in x])
    K = rbf_kernel(xp(x), xp(y), bandwidth=h)
    assert type(K) is type(xp(x))
    np.testing.assert_allclose(npy(K), ref, rtol=1e-13, atol=0)
    Kxx = npy(rbf_kernel(xp(x), bandwidth=h))
    np.testing.assert_array_equal(np.diag(Kxx), 1.0)
    np.testing.assert_allclose(Kxx, Kxx.T, rtol=0, atol=0)


def test_rbf_kernel_gradient_matches_autograd():
    x, y = RNG.normal(size=(6, 2)), RNG.normal(size=(4, 2))
    h = 0.8
    _, dK = rbf_kernel(x, y, bandwidth=h, return_grad=True)
    assert dK.shape == (6, 4, 2)
    xt = torch.tensor(x, requires_grad=True)
    for j in range(4):
        k_j = torch.exp(-torch.sum((xt - torch.tensor(y[j])) ** 2, dim=1) / h)  # (n,)
        (g,) = torch.autograd.grad(k_j.sum(), xt)  # row i: grad_{x_i} k(x_i, y_j)
        np.testing.assert_allclose(dK[:, j, :], g.numpy(), rtol=1e-12, atol=1e-15)


def test_rbf_kernel_torch_is_differentiable_and_gradcheck():
    x = torch.tensor(RNG.normal(size=(4, 2)), requires_grad=True)
    y = torch.tensor(RNG.normal(size=(3, 2)), requires_grad=True)
    assert torch.autograd.gradcheck(lambda a, b: rbf_kernel(a, b, bandwidth=1.3), (x, y))


def test_median_bandwidth_matches_scipy(xp):
    x = RNG.normal(size=(40, 3))
    ref = np.median(pdist(x)) ** 2 / np.log(41)
    assert median_bandwidth(xp(x)) == pytest.approx(ref, rel=1e-12)
    # the default bandwidth of rbf_kernel is that one
    K = npy(rbf_kernel(xp(x)))
    np.testing.assert_allclose(
        K, np.exp(-np.sum((x[:, None] - x[None]) ** 2, -1) / ref), rtol=1e-12
    )


def test_median_bandwidth_degenerate_cases():
    assert median_bandwidth(np.zeros((1, 2))) == 1.0  # one point: no pair
    assert median_bandwidth(np.ones((5, 3))) == 1.0  # all equal: K is all ones for any h
    np.testing.assert_array_equal(rbf_kernel(np.ones((5, 3))), np.ones((5, 5)))


def test_rbf_kernel_default_bandwidth_with_y_pools_the_points():
    x, y = RNG.normal(size=(5, 2)), RNG.normal(size=(6, 2)) + 3.0
    h = np.median(pdist(np.vstack([x, y]))) ** 2 / np.log(12)
    np.testing.assert_allclose(rbf_kernel(x, y), rbf_kernel(x, y, bandwidth=h), rtol=1e-12)


def test_rbf_kernel_mixed_numpy_torch():
    x, y = RNG.normal(size=(3, 2)), RNG.normal(size=(4, 2))
    K = rbf_kernel(x, torch.tensor(y, dtype=torch.float32), bandwidth=1.0)
    assert isinstance(K, torch.Tensor) and K.dtype == torch.float32
    np.testing.assert_allclose(K.numpy(), rbf_kernel(x, y, bandwidth=1.0), rtol=1e-6)


def test_integer_points_are_accepted():
    x = np.array([[0, 0], [1, 0], [0, 2]])
    np.testing.assert_allclose(rbf_kernel(x, bandwidth=1.0)[0], [1.0, np.exp(-1), np.exp(-4)])


# -- SVGD direction ------------------------------------------------------------------------


def test_svgd_direction_matches_double_loop(xp):
    x = RNG.normal(size=(8, 2))
    m, P = np.array([1.0, -0.5]), np.array([[2.0, 0.3], [0.3, 0.7]])
    score = lambda z: -(z - m) @ P
    h = 0.9
    ref = _phi_double_loop(x, score, h)

    def score_xp(z):
        if isinstance(z, torch.Tensor):
            return -(z - torch.tensor(m)) @ torch.tensor(P)
        return score(z)

    phi = svgd_direction(xp(x), score_xp, bandwidth=h)
    assert type(phi) is type(xp(x))
    np.testing.assert_allclose(npy(phi), ref, rtol=1e-12, atol=1e-14)
    # with the median heuristic too
    h_med = np.median(pdist(x)) ** 2 / np.log(9)
    np.testing.assert_allclose(
        npy(svgd_direction(xp(x), score_xp)),
        _phi_double_loop(x, score, h_med),
        rtol=1e-12,
        atol=1e-14,
    )


def test_one_particle_is_gradient_ascent():
    x = np.array([[0.3, -1.2, 2.0]])
    score = lambda z: -2.0 * (z - 1.0)
    np.testing.assert_allclose(svgd_step(x, score, 0.1), x + 0.1 * score(x), rtol=1e-15)


def test_repulsion_sums_to_zero_so_mean_moves_by_smoothed_score():
    # sum_i phi(x_i) = (1/n) sum_ij k(x_i, x_j) s(x_j): the repulsive term cancels in pairs
    x = RNG.normal(size=(30, 3))
    s = RNG.normal(size=(30, 3))  # any field: the score need not be a gradient here
    h = 1.1
    phi = svgd_direction(x, lambda z: s, bandwidth=h)
    K = np.exp(-np.sum((x[:, None] - x[None]) ** 2, -1) / h)
    np.testing.assert_allclose(phi.sum(0), K.sum(0) @ s / 30, rtol=1e-12, atol=1e-13)


def test_two_particle_fixed_point_closed_form():
    # p = N(0, sigma^2) in 1-D, particles at -a and a, fixed h: phi(a) = 0 gives
    # (1 - k) / sigma^2 = 4 k / h with k = exp(-4 a^2 / h), so a^2 = (h/4) log(1 + 4 sigma^2 / h)
    for sigma2, h in [(1.0, 1.0), (2.0, 0.5), (0.5, 3.0)]:
        x = np.array([[-0.05], [0.1]])
        x = svgd_sample(
            lambda z, s2=sigma2: -z / s2, x, step_size=0.05 * sigma2, n_steps=4000, bandwidth=h
        )
        a = np.sqrt(h / 4 * np.log(1 + 4 * sigma2 / h))
        np.testing.assert_allclose(np.sort(x[:, 0]), [-a, a], atol=1e-8)


def test_gaussian_target_moments():
    # 2-D Gaussian target: SVGD particles end with the target's mean and (up to the
    # finite-n spread of SVGD) its covariance; a start far away tests the transport.
    m, C = np.array([2.0, -1.0]), np.array([[1.0, 0.6], [0.6, 2.0]])
    P = np.linalg.inv(C)
    x0 = np.random.default_rng(0).normal(size=(200, 2)) * 0.3 - 3.0
    x = svgd_sample(lambda z: -(z - m) @ P, x0, step_size=0.3, n_steps=2000)
    # at a fixed point sum_i phi(x_i) = 0, i.e. sum_j w_j P (x_j - m) = 0 with the kernel
    # weights w_j = sum_i k(x_i, x_j): the kernel-weighted mean is exactly m
    w = rbf_kernel(x).sum(0)
    np.testing.assert_allclose(w @ x / w.sum(), m, atol=2e-3)
    np.testing.assert_allclose(x.mean(0), m, atol=0.03)
    np.testing.assert_allclose(np.cov(x.T), C, atol=0.15)
    # far from the start: it moved
    assert np.linalg.norm(x.mean(0) - x0.mean(0)) > 4


def test_svgd_sample_is_repeated_steps_and_path(xp):
    x0 = RNG.normal(size=(10, 2))
    score = lambda z: -z
    x = xp(x0)
    for _ in range(5):
        x = svgd_step(x, score, 0.2)
    path = svgd_sample(score, xp(x0), step_size=0.2, n_steps=5, return_path=True)
    assert tuple(path.shape) == (6, 10, 2)
    np.testing.assert_allclose(npy(path[-1]), npy(x), rtol=1e-13)
    np.testing.assert_allclose(npy(path[0]), x0, rtol=0)
    np.testing.assert_array_equal(npy(svgd_sample(score, xp(x0), step_size=0.2, n_steps=0)), x0)


def test_svgd_step_is_differentiable_in_torch():
    x = torch.tensor(RNG.normal(size=(5, 2)), requires_grad=True)
    out = svgd_step(x, lambda z: -z, 0.1, bandwidth=1.0)
    assert out.requires_grad
    assert torch.autograd.gradcheck(
        lambda z: svgd_step(z, lambda u: -(u**3), 0.1, bandwidth=1.0), (x,)
    )


def test_svgd_sample_progress_runs(capsys):
    x = svgd_sample(lambda z: -z, np.zeros((3, 1)) + 1.0, step_size=0.1, n_steps=3, progress=True)
    assert x.shape == (3, 1)
    assert "SVGD" in capsys.readouterr().err  # the bar was drawn


# -- hostile input --------------------------------------------------------------------------


GOOD = np.zeros((4, 2)) + np.arange(4)[:, None]


@pytest.mark.parametrize(
    "x, err, match",
    [
        (np.array([[np.nan, 0.0], [1.0, 1.0]]), ValueError, "x has 1 NaN entry"),
        (np.array([[np.inf, 0.0], [1.0, 1.0]]), ValueError, "x has 1 infinite entry"),
        (np.zeros((0, 2)), ValueError, "x is empty"),
        (np.zeros(5), ValueError, r"x must have shape \(n, d\)"),
        (np.zeros((2, 2, 2)), ValueError, r"x must have shape \(n, d\)"),
        (np.zeros((3, 2), dtype=complex), TypeError, "complex"),
        (np.zeros((3, 2), dtype=bool), TypeError, "bool"),
        (np.array([[None, 1.0]], dtype=object), TypeError, "object"),
        (torch.zeros((3, 2), dtype=torch.bool), TypeError, "bool"),
    ],
)
def test_bad_points(x, err, match):
    with pytest.raises(err, match=match):
        rbf_kernel(x)
    with pytest.raises(err, match=match):
        svgd_step(x, lambda z: -z, 0.1)
    with pytest.raises(err, match=match):
        median_bandwidth(x)


def test_bad_x0_is_named():
    with pytest.raises(ValueError, match="x0 has 1 NaN"):
        svgd_sample(lambda z: -z, np.array([[np.nan]]), step_size=0.1, n_steps=1)


@pytest.mark.parametrize("bad", [0.0, -1.0, np.nan, np.inf])
def test_bad_step_and_bandwidth(bad):
    if np.isinf(bad):  # inf is a number > 0 for the check; it only makes sense as a bound
        with pytest.raises(ValueError):
            svgd_step(GOOD, lambda z: -z, 0.1, bandwidth=0.0)
        return
    with pytest.raises(ValueError, match="step must be a number"):
        svgd_step(GOOD, lambda z: -z, bad)
    with pytest.raises(ValueError, match="bandwidth must be a number"):
        svgd_step(GOOD, lambda z: -z, 0.1, bandwidth=bad)
    with pytest.raises(ValueError, match="bandwidth must be a number"):
        rbf_kernel(GOOD, bandwidth=bad)
    with pytest.raises(ValueError, match="step_size must be a number"):
        svgd_sample(lambda z: -z, GOOD, step_size=bad, n_steps=1)


@pytest.mark.parametrize("bad", [True, 1 + 1j, "0.1", [0.1, 0.2]])
def test_non_numeric_step_is_refused(bad):
    with pytest.raises(TypeError, match="step must be"):
        svgd_step(GOOD, lambda z: -z, bad)


@pytest.mark.parametrize("bad, match", [(-1, ">= 0"), (2.5, "whole number")])
def test_bad_n_steps(bad, match):
    with pytest.raises(ValueError, match=f"n_steps must be .*{match}|n_steps must be a whole"):
        svgd_sample(lambda z: -z, GOOD, step_size=0.1, n_steps=bad)


def test_bad_score():
    with pytest.raises(TypeError, match="score_fn must be callable"):
        svgd_step(GOOD, "not a function", 0.1)
    with pytest.raises(ValueError, match=r"score_fn returned shape \(4, 1\)"):
        svgd_step(GOOD, lambda z: z[:, :1], 0.1)
    with pytest.raises(ValueError, match=r"score_fn\(x\) has 8 NaN entries"):
        svgd_step(GOOD, lambda z: np.full(z.shape, np.nan), 0.1)
    with pytest.raises(TypeError, match="score_fn"):
        svgd_step(GOOD, lambda z: 3.0, 0.1)


def test_dimension_mismatch_is_named():
    with pytest.raises(ValueError, match=r"x .*d = 2 dimensions but y in d = 3"):
        rbf_kernel(np.zeros((3, 2)), np.zeros((3, 3)), bandwidth=1.0)


def test_torch_particles_with_a_numpy_score_and_float32():
    x = RNG.normal(size=(6, 2))
    ref = svgd_step(x, lambda z: -z, 0.1, bandwidth=1.0)
    out = svgd_step(torch.tensor(x), lambda z: -z, 0.1, bandwidth=1.0)
    assert isinstance(out, torch.Tensor) and out.dtype == torch.float64
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-13)
    with pytest.raises(TypeError, match="score_fn returned a ndarray for a torch.Tensor"):
        svgd_step(torch.tensor(x), lambda z: -z.numpy(), 0.1)  # one rule: same backend
    out32 = svgd_step(torch.tensor(x, dtype=torch.float32), lambda z: -z, 0.1, bandwidth=1.0)
    assert out32.dtype == torch.float32
    np.testing.assert_allclose(out32.numpy(), ref, rtol=1e-5)


# -- issue 17: silent wrong answers and crashes -------------------------------------


@pytest.mark.parametrize("scale", [1e-200, 1e-100, 1.0, 1e100, 1e200])
def test_median_rbf_kernel_is_scale_free(scale):
    K = rbf_kernel(np.array([[0.0], [1.0]]) * scale)
    np.testing.assert_allclose(K, [[1.0, 1.0 / 3.0], [1.0 / 3.0, 1.0]], rtol=1e-12)
    _, dK = rbf_kernel(np.array([[0.0], [1.0]]) * scale, return_grad=True)
    want = 2.0 / (1.0 / np.log(3.0)) / 3.0 / scale  # grad at x_0 = 0 towards x_1
    np.testing.assert_allclose(dK[0, 1, 0], want, rtol=1e-12)


def test_median_bandwidth_is_scale_free_and_documented():
    x = np.array([[0.0], [1.0], [3.0]])
    h1 = median_bandwidth(x)
    assert median_bandwidth(x * 2.0**-600) == pytest.approx(h1 * 2.0**-1200, rel=1e-12)
    assert median_bandwidth(np.zeros((3, 1))) == 1.0  # all points coincide


@pytest.mark.parametrize("bad", [np.inf, -np.inf])
def test_infinite_step_and_bandwidth_refused(bad):
    x = np.random.default_rng(0).normal(size=(5, 2))
    with pytest.raises(ValueError, match="step"):
        svgd_step(x, lambda z: -z, bad)
    with pytest.raises(ValueError, match="bandwidth"):
        rbf_kernel(x, bandwidth=bad)
    with pytest.raises(ValueError, match="step_size"):
        svgd_sample(lambda z: -z, x, step_size=bad, n_steps=2)


def test_svgd_sample_reports_a_diverged_chain():
    x = np.random.default_rng(0).normal(size=(5, 1))
    with pytest.raises(ValueError, match="step_size"):
        svgd_sample(lambda z: z * 1e200, x, step_size=1.0, n_steps=50)


@pytest.mark.parametrize("flag", ["no", 0, None])
def test_flags_must_be_bool(flag):
    x = np.zeros((3, 1)) + np.arange(3.0)[:, None]
    with pytest.raises(TypeError, match="return_grad"):
        rbf_kernel(x, return_grad=flag)
    with pytest.raises(TypeError, match="return_path"):
        svgd_sample(lambda z: -z, x, step_size=0.1, n_steps=1, return_path=flag)
    with pytest.raises(TypeError, match="progress"):
        svgd_sample(lambda z: -z, x, step_size=0.1, n_steps=1, progress=flag)


def test_svgd_sample_zero_steps_returns_a_copy():
    x = np.ones((3, 1))
    out = svgd_sample(lambda z: -z, x, step_size=0.1, n_steps=0)
    assert out is not x and not np.shares_memory(out, x)


def test_score_of_the_other_backend_or_dtype():
    x = np.random.default_rng(0).normal(size=(4, 2))
    with pytest.raises(TypeError, match="score_fn returned a torch.Tensor"):
        svgd_step(x, lambda z: torch.as_tensor(-z), 0.1)
    xt = torch.tensor(x, dtype=torch.float32)
    out = svgd_step(xt, lambda z: -z.double(), 0.1)  # float64 score, float32 particles
    assert out.dtype == torch.float32


def test_numpy_float32_stays_float32():
    x = np.random.default_rng(0).normal(size=(4, 2)).astype(np.float32)
    assert rbf_kernel(x).dtype == np.float32
    assert svgd_direction(x, lambda z: -z).dtype == np.float32
    assert svgd_step(x, lambda z: -z, 0.1).dtype == np.float32
    assert svgd_sample(lambda z: -z, x, step_size=0.1, n_steps=2).dtype == np.float32


@pytest.mark.parametrize("half", [torch.bfloat16])
def test_rbf_kernel_names_a_bfloat16_argument_next_to_numpy(half):
    # issue 17 (hostile table): a numpy x and a bfloat16 tensor y failed inside torch
    # ("Got unsupported ScalarType BFloat16"), y not named; divlib refuses bfloat16 with
    # a TypeError naming the argument (check_real_dtype), whichever side it is on
    x = np.array([[0.0, 1.0], [2.0, -1.0], [0.5, 0.5]])
    with pytest.raises(TypeError, match=r"\by has dtype bfloat16"):
        rbf_kernel(x, torch.tensor(x[:2]).to(half))
    with pytest.raises(TypeError, match=r"\bx has dtype bfloat16"):
        rbf_kernel(torch.tensor(x).to(half), x[:2])
