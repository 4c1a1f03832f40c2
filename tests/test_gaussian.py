"""divlib._gaussian: closed forms between Gaussians (issues 3, 4 and 8).

Oracles: for kl_gaussian the 1-D formula in the variances, torch.distributions
(Normal, MultivariateNormal), Monte Carlo with scipy.stats.multivariate_normal and
the affine invariance of KL; for gaussian_w2 and gaussian_monge_map POT's
ot.gaussian.bures_wasserstein_distance, scipy.linalg.sqrtm for the textbook formula,
the 1-D closed form sqrt((m0-m1)^2 + (s0-s1)^2), large-sample wasserstein_1d, and the
defining identities of the map (A C0 A = C1, A symmetric positive definite, cost
E|T(X) - X|^2 = W_2^2). Issue 8: the dtype policy, scale invariance at 1e+-200 and
the shared checks.
"""

from __future__ import annotations

import math

import numpy as np
import ot
import pytest
import scipy.linalg as sla
import scipy.stats as sst
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import HYP, npy
from divlib import (
    fisher_divergence_gaussian,
    gaussian_monge_map,
    gaussian_w2,
    kl_gaussian,
    wasserstein_1d,
)

# -- kl_gaussian (issue 3) -------------------------------------------------------------


def random_gaussian(rng, d):
    A = rng.standard_normal((d, d))
    return rng.standard_normal(d), A @ A.T + 0.5 * np.eye(d)


def torch_mvn(m, C):
    return torch.distributions.MultivariateNormal(
        torch.tensor(m), covariance_matrix=torch.tensor(C)
    )


@pytest.mark.parametrize(
    "m0,v0,m1,v1", [(0.0, 1.0, 1.0, 4.0), (2.0, 0.3, -1.0, 0.3), (0.0, 5.0, 0.0, 0.1)]
)
def test_one_dimensional_closed_form(xp, m0, v0, m1, v1):
    s0, s1 = math.sqrt(v0), math.sqrt(v1)
    closed = math.log(s1 / s0) + (v0 + (m0 - m1) ** 2) / (2 * v1) - 0.5
    got = kl_gaussian(xp(m0), xp(v0), xp(m1), xp(v1))
    assert float(got) == pytest.approx(closed, rel=1e-12, abs=1e-15)
    N = torch.distributions.Normal
    ref = torch.distributions.kl_divergence(N(m0, s0), N(m1, s1))
    assert float(got) == pytest.approx(float(ref), rel=1e-6)  # torch Normal: float32 scalars


@pytest.mark.parametrize("d", [1, 2, 5, 12])
def test_matches_torch_multivariate_normal(xp, d):
    rng = np.random.default_rng(d)
    (m0, C0), (m1, C1) = random_gaussian(rng, d), random_gaussian(rng, d)
    for a, b in (((m0, C0), (m1, C1)), ((m1, C1), (m0, C0))):  # both directions
        expected = float(torch.distributions.kl_divergence(torch_mvn(*a), torch_mvn(*b)))
        got = float(kl_gaussian(xp(a[0]), xp(a[1]), xp(b[0]), xp(b[1])))
        assert got == pytest.approx(expected, rel=1e-10)


def test_monte_carlo():
    rng = np.random.default_rng(0)
    (m0, C0), (m1, C1) = random_gaussian(rng, 3), random_gaussian(rng, 3)
    x = rng.multivariate_normal(m0, C0, size=200_000)
    log_ratio = sst.multivariate_normal(m0, C0).logpdf(x) - sst.multivariate_normal(m1, C1).logpdf(
        x
    )
    se = log_ratio.std() / math.sqrt(x.shape[0])
    assert abs(float(kl_gaussian(m0, C0, m1, C1)) - log_ratio.mean()) < 4 * se


def test_identical_is_zero_and_asymmetric(xp):
    rng = np.random.default_rng(1)
    (m0, C0), (m1, C1) = random_gaussian(rng, 4), random_gaussian(rng, 4)
    assert float(kl_gaussian(xp(m0), xp(C0), xp(m0), xp(C0))) == pytest.approx(0.0, abs=1e-12)
    forward = float(kl_gaussian(xp(m0), xp(C0), xp(m1), xp(C1)))
    reverse = float(kl_gaussian(xp(m1), xp(C1), xp(m0), xp(C0)))
    assert forward > 0 and reverse > 0 and abs(forward - reverse) > 1e-3


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), d=st.integers(1, 6))
def test_nonnegative_and_affine_invariant(seed, d):
    rng = np.random.default_rng(seed)
    (m0, C0), (m1, C1) = random_gaussian(rng, d), random_gaussian(rng, d)
    kl = float(kl_gaussian(m0, C0, m1, C1))
    assert kl >= 0.0
    # x -> A x + b is a bijection, so KL is unchanged
    A = rng.standard_normal((d, d)) + 3 * np.eye(d)
    b = rng.standard_normal(d)
    mapped = float(kl_gaussian(A @ m0 + b, A @ C0 @ A.T, A @ m1 + b, A @ C1 @ A.T))
    assert mapped == pytest.approx(kl, rel=1e-7, abs=1e-10)


def test_output_types():
    out = kl_gaussian([0.0, 1.0], np.eye(2), [1.0, 0.0], 2 * np.eye(2))
    assert isinstance(out, (np.ndarray, np.floating)) and out.dtype == np.float64
    t = kl_gaussian(
        torch.zeros(2, dtype=torch.float32), torch.eye(2), torch.ones(2), 2 * torch.eye(2)
    )
    assert isinstance(t, torch.Tensor) and t.dtype == torch.float32
    mixed = kl_gaussian(torch.zeros(2, dtype=torch.float64), np.eye(2), [1.0, 0.0], 2 * np.eye(2))
    assert isinstance(mixed, torch.Tensor) and mixed.dtype == torch.float64


def test_gradcheck():
    rng = np.random.default_rng(2)
    d = 3
    args = [
        torch.tensor(v, requires_grad=True)
        for v in (
            rng.standard_normal(d),
            rng.standard_normal((d, d)),
            rng.standard_normal(d),
            rng.standard_normal((d, d)),
        )
    ]

    def f(m0, A0, m1, A1):  # SPD covariances from free matrices: C = A A^T + I
        eye = torch.eye(d, dtype=torch.float64)
        return kl_gaussian(m0, A0 @ A0.T + eye, m1, A1 @ A1.T + eye)

    assert torch.autograd.gradcheck(f, args)


def test_gradient_in_means_is_analytic():
    rng = np.random.default_rng(3)
    (m0, C0), (m1, C1) = random_gaussian(rng, 3), random_gaussian(rng, 3)
    t0 = torch.tensor(m0, requires_grad=True)
    (g,) = torch.autograd.grad(kl_gaussian(t0, torch.tensor(C0), m1, C1), (t0,))
    # d KL / d m0 = C1^{-1} (m0 - m1)
    np.testing.assert_allclose(g.numpy(), np.linalg.solve(C1, m0 - m1), rtol=1e-10)


def test_bad_inputs_raise():
    eye = np.eye(2)
    with pytest.raises(ValueError, match=r"C0 is not symmetric .*use \(C \+ C.T\) / 2"):
        kl_gaussian([0, 0], [[1.0, 0.5], [0.0, 1.0]], [0, 0], eye)
    with pytest.raises(ValueError, match=r"C1 is not positive definite \(smallest eigenvalue -1\)"):
        kl_gaussian([0, 0], eye, [0, 0], [[1.0, 0.0], [0.0, -1.0]])
    with pytest.raises(ValueError, match="C1 is not positive definite"):
        kl_gaussian(0.0, 1.0, 0.0, -1.0)  # a negative variance
    with pytest.raises(ValueError, match=r"C0 has shape \(2, 2\) but m0 has d = 3"):
        kl_gaussian([0, 0, 0], eye, [0, 0, 0], np.eye(3))
    with pytest.raises(ValueError, match=r"m0 lives in d = 2 dimensions but m1 in d = 3"):
        kl_gaussian([0, 0], eye, [0, 0, 0], np.eye(3))
    with pytest.raises(ValueError, match=r"m1 must be a scalar or a vector"):
        kl_gaussian([0, 0], eye, [[0, 0]], eye)
    with pytest.raises(ValueError, match="m0 has 1 NaN entry"):
        kl_gaussian([np.nan, 0], eye, [0, 0], eye)
    with pytest.raises(ValueError, match="C1 has 1 infinite entry"):
        kl_gaussian([0, 0], eye, [0, 0], [[np.inf, 0], [0, 1]])
    with pytest.raises(ValueError, match="C0 is not positive definite"):
        kl_gaussian(torch.zeros(2), torch.zeros(2, 2), torch.zeros(2), torch.eye(2))


# -- gaussian_w2 and gaussian_monge_map (issue 4) --------------------------------------


def spd(rng, d, cond=10.0):
    """A random SPD matrix with eigenvalues in [1/cond, 1] (times a scale)."""
    Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    lam = np.exp(rng.uniform(-np.log(cond), 0, size=d))
    return (Q * lam) @ Q.T * rng.uniform(0.5, 3.0)


def bures_textbook(m0, C0, m1, C1):
    r0 = np.real(sla.sqrtm(C0))
    cross = np.real(sla.sqrtm(r0 @ C1 @ r0))
    return np.sqrt(max(np.sum((m0 - m1) ** 2) + np.trace(C0 + C1 - 2 * cross), 0.0))


@pytest.mark.parametrize("d", [1, 2, 5, 10])
def test_gaussian_w2_matches_pot_and_sqrtm(xp, d):
    rng = np.random.default_rng(d)
    m0, m1, C0, C1 = rng.normal(size=d), rng.normal(size=d), spd(rng, d), spd(rng, d)
    ref = ot.gaussian.bures_wasserstein_distance(m0, m1, C0, C1)
    got = npy(gaussian_w2(xp(m0), xp(C0), xp(m1), xp(C1)))
    assert np.isclose(got, ref, rtol=1e-8)
    assert np.isclose(got, bures_textbook(m0, C0, m1, C1), rtol=1e-8)


@HYP
@given(m0=st.floats(-5, 5), m1=st.floats(-5, 5), s0=st.floats(0.05, 5), s1=st.floats(0.05, 5))
def test_gaussian_w2_1d_closed_form(m0, m1, s0, s1):
    # scalars: C is the variance
    assert np.isclose(
        gaussian_w2(m0, s0**2, m1, s1**2), np.hypot(m0 - m1, s0 - s1), rtol=1e-9, atol=1e-12
    )


def test_gaussian_w2_matches_large_sample_w1d():
    rng = np.random.default_rng(0)
    x, y = rng.normal(1.0, 2.0, size=200_000), rng.normal(-0.5, 0.5, size=200_000)
    assert np.isclose(wasserstein_1d(x, y, p=2), gaussian_w2(1.0, 4.0, -0.5, 0.25), rtol=5e-3)


@HYP
@given(seed=st.integers(0, 2**32 - 1), d=st.integers(1, 4))
def test_gaussian_w2_metric_axioms(seed, d):
    rng = np.random.default_rng(seed)
    g = [(rng.normal(size=d), spd(rng, d)) for _ in range(3)]
    w = lambda i, j: gaussian_w2(g[i][0], g[i][1], g[j][0], g[j][1])
    assert np.isclose(w(0, 1), w(1, 0), rtol=1e-9)
    assert w(0, 0) == pytest.approx(0.0, abs=1e-6)
    assert w(0, 2) <= w(0, 1) + w(1, 2) + 1e-9
    # commuting covariances: W_2^2 = |dm|^2 + |C0^1/2 - C1^1/2|_F^2
    D0, D1 = np.diag(rng.uniform(0.1, 3, d)), np.diag(rng.uniform(0.1, 3, d))
    ref = np.sqrt(np.sum((g[0][0] - g[1][0]) ** 2) + np.sum((np.sqrt(D0) - np.sqrt(D1)) ** 2))
    assert np.isclose(gaussian_w2(g[0][0], D0, g[1][0], D1), ref, rtol=1e-9)


def test_gaussian_w2_gradcheck():
    rng = np.random.default_rng(1)
    d = 3
    m0, m1 = torch.tensor(rng.normal(size=d), requires_grad=True), torch.tensor(rng.normal(size=d))
    L0, L1 = (torch.tensor(rng.normal(size=(d, d)), requires_grad=True) for _ in range(2))

    def f(m0, L0, L1):
        C0 = L0 @ L0.T + 0.5 * torch.eye(d, dtype=torch.float64)
        C1 = L1 @ L1.T + 0.5 * torch.eye(d, dtype=torch.float64)
        return gaussian_w2(m0, C0, m1, C1)

    assert torch.autograd.gradcheck(f, (m0, L0, L1))


@pytest.mark.parametrize("case", ["equal", "identity", "equal_and_same_mean"])
def test_gaussian_w2_gradient_finite_at_repeated_eigenvalues(case):
    # eigenvector gradients blow up at repeated eigenvalues; the Bures trace must not
    d = 3
    I = torch.eye(d, dtype=torch.float64)
    rng = np.random.default_rng(2)
    C = I.clone() if case == "identity" else torch.tensor(spd(rng, d))
    C0, C1 = C.clone().requires_grad_(True), C.clone().requires_grad_(True)
    m0 = torch.zeros(d, dtype=torch.float64, requires_grad=True)
    m1 = torch.zeros(d, dtype=torch.float64) + (0.0 if case == "equal_and_same_mean" else 1.0)
    w = gaussian_w2(m0, C0, m1, C1)
    grads = torch.autograd.grad(w, (m0, C0, C1))
    assert all(torch.isfinite(g).all() for g in grads)
    if case != "equal_and_same_mean":
        # at C0 = C1 the covariance gradients vanish (W_2^2 is minimal in C1 there)
        assert torch.allclose(grads[1], torch.zeros_like(C), atol=1e-7)
        assert torch.allclose(grads[2], torch.zeros_like(C), atol=1e-7)
        assert torch.allclose(grads[0], (m0 - m1).detach() / w.detach())


def test_gaussian_w2_gradient_matches_finite_differences_at_identity():
    # a direction that splits the repeated eigenvalue of C1 = I
    d = 3
    C1 = torch.eye(d, dtype=torch.float64, requires_grad=True)
    C0 = torch.diag(torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64))
    m = torch.zeros(d, dtype=torch.float64)
    (g,) = torch.autograd.grad(gaussian_w2(m, C0, m, C1), C1)
    D = torch.tensor([[1.0, 0.3, 0.0], [0.3, -0.5, 0.2], [0.0, 0.2, 0.1]], dtype=torch.float64)
    h = 1e-6
    fd = (
        gaussian_w2(m, C0, m, C1.detach() + h * D) - gaussian_w2(m, C0, m, C1.detach() - h * D)
    ) / (2 * h)
    assert torch.isclose((g * D).sum(), fd, rtol=1e-5)


@pytest.mark.parametrize("d", [1, 2, 4])
def test_gaussian_monge_map_identities(xp, d):
    rng = np.random.default_rng(10 + d)
    m0, m1, C0, C1 = rng.normal(size=d), rng.normal(size=d), spd(rng, d), spd(rng, d)
    T = gaussian_monge_map(xp(m0), xp(C0), xp(m1), xp(C1))
    A = npy(T.A)
    assert np.allclose(A, A.T) and np.linalg.eigvalsh(A).min() > 0
    assert np.allclose(A @ C0 @ A, C1, rtol=1e-8, atol=1e-10)
    # push-forward of samples: mean m1, covariance C1, cost W_2^2
    X = rng.multivariate_normal(m0, C0, size=100_000)
    Y = npy(T(xp(X)))
    assert Y.shape == X.shape
    assert np.allclose(Y.mean(0), m1 + A @ (X.mean(0) - m0))
    assert np.allclose(np.cov(Y.T).reshape(d, d), A @ np.cov(X.T).reshape(d, d) @ A)
    cost = np.mean(np.sum((Y - X) ** 2, axis=1))
    assert np.isclose(cost, gaussian_w2(m0, C0, m1, C1) ** 2, rtol=0.03)


def test_gaussian_monge_map_1d_scalars_and_pot():
    T = gaussian_monge_map(1.0, 4.0, -2.0, 0.25)  # x -> -2 + (x - 1) / 4
    assert np.allclose(T(np.array([1.0, 5.0])), [-2.0, -1.0])
    rng = np.random.default_rng(3)
    m0, m1, C0, C1 = rng.normal(size=3), rng.normal(size=3), spd(rng, 3), spd(rng, 3)
    A_pot, b_pot = ot.gaussian.bures_wasserstein_mapping(m0, m1, C0, C1)
    A = gaussian_monge_map(m0, C0, m1, C1).A
    assert np.allclose(A, A_pot, rtol=1e-7, atol=1e-9)


def test_gaussian_monge_map_torch_is_differentiable():
    C1 = torch.tensor([[2.0, 0.3], [0.3, 1.0]], dtype=torch.float64, requires_grad=True)
    T = gaussian_monge_map(
        torch.zeros(2, dtype=torch.float64),
        torch.eye(2, dtype=torch.float64) * 2,
        torch.ones(2, dtype=torch.float64),
        C1,
    )
    y = T(torch.ones(3, 2, dtype=torch.float64))
    (g,) = torch.autograd.grad(y.sum(), C1)
    assert isinstance(y, torch.Tensor) and torch.isfinite(g).all()


@pytest.mark.parametrize(
    "args,match",
    [
        (
            (np.zeros(2), np.eye(2), np.zeros(3), np.eye(3)),
            "m0 lives in d = 2 dimensions but m1 in d = 3",
        ),
        (
            (np.zeros(2), np.eye(3), np.zeros(2), np.eye(2)),
            r"C0 has shape \(3, 3\) but m0 has d = 2",
        ),
        (
            (np.zeros(2), np.array([[1.0, 0.5], [0.0, 1.0]]), np.zeros(2), np.eye(2)),
            "C0 is not symmetric",
        ),
        ((np.zeros(2), np.eye(2), np.zeros(2), -np.eye(2)), "C1 is not positive definite"),
        ((np.zeros(2), np.eye(2), np.array([0.0, np.nan]), np.eye(2)), "m1 has 1 NaN"),
        ((0.0, 0.0, 0.0, 1.0), "C0 is not positive definite"),
    ],
)
def test_gaussian_bad_inputs(args, match):
    with pytest.raises(ValueError, match=match):
        gaussian_w2(*args)
    with pytest.raises(ValueError, match=match):
        gaussian_monge_map(*args)


def test_gaussian_monge_map_bad_point_shape():
    T = gaussian_monge_map(np.zeros(2), np.eye(2), np.ones(2), np.eye(2))
    with pytest.raises(ValueError, match=r"x must have shape \(\.\.\., 2\)"):
        T(np.ones((4, 3)))


# -- dtype policy, scale invariance and shared checks (issue 8) -------------------------

M0, M1 = np.array([0.5, -1.0]), np.array([1.5, 0.25])
C0 = np.array([[2.0, 0.3], [0.3, 1.0]])
C1 = np.array([[1.0, -0.2], [-0.2, 0.5]])
ALL = (kl_gaussian, gaussian_w2, fisher_divergence_gaussian)


def w2_textbook(m0, C0, m1, C1):
    r0 = sla.sqrtm(C0).real
    return math.sqrt(np.sum((m0 - m1) ** 2) + np.trace(C0 + C1 - 2 * sla.sqrtm(r0 @ C1 @ r0).real))


@pytest.mark.parametrize("s", [1e100, 1e-100, 1e150, 1e-150])
def test_scale_invariance_at_extreme_scales(s):
    # class 4: means x s and covariances x s^2 (s^2 = 1e+-200, 1e+-300): L^T C1 L
    # used to overflow to inf or underflow to 0
    w = w2_textbook(M0, C0, M1, C1)
    np.testing.assert_allclose(
        float(gaussian_w2(s * M0, s * s * C0, s * M1, s * s * C1)), s * w, rtol=1e-10
    )
    np.testing.assert_allclose(
        float(kl_gaussian(s * M0, s * s * C0, s * M1, s * s * C1)),
        float(kl_gaussian(M0, C0, M1, C1)),
        rtol=1e-10,
    )
    np.testing.assert_allclose(
        float(fisher_divergence_gaussian(s * M0, s * s * C0, s * M1, s * s * C1)),
        float(fisher_divergence_gaussian(M0, C0, M1, C1)) / (s * s),
        rtol=1e-10,
    )
    T = gaussian_monge_map(s * M0, s * s * C0, s * M1, s * s * C1)
    np.testing.assert_allclose(T.A, gaussian_monge_map(M0, C0, M1, C1).A, rtol=1e-10)
    np.testing.assert_allclose(T(s * M0), s * M1, rtol=1e-12)


def test_small_mean_difference_is_not_lost():
    # W2 = 1e-9 came out 0: the mean term was added before 2 - 2 cancelled
    assert abs(float(gaussian_w2(0.0, 1.0, 1e-9, 1.0)) - 1e-9) < 1e-22


def test_symmetry_check_is_relative():
    # an absolute tolerance of 1e-10 accepted any matrix at 1e-200 as symmetric
    bad = 1e-200 * np.array([[1.0, 0.5], [0.0, 1.0]])
    for f in ALL:
        with pytest.raises(ValueError, match="C0 is not symmetric"):
            f(M0, bad, M1, 1e-200 * C1)


@pytest.mark.parametrize(
    "f", ALL + (lambda *a: gaussian_monge_map(*a).A,), ids=["kl", "w2", "fisher", "monge"]
)
def test_mixed_dtypes_and_integer_tensors(f):
    # crash before issue 8: float32 next to float64 raised torch's dtype error; an
    # integer tensor first made the float lists after it integers (truncated)
    want = np.asarray(f(M0, C0, M1, C1))
    m0_32, C0_32 = torch.tensor(M0, dtype=torch.float32), torch.tensor(C0, dtype=torch.float32)
    got = f(m0_32, C0_32, torch.tensor(M1), torch.tensor(C1))
    assert got.dtype == torch.float64
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-6)
    got32 = f(m0_32, C0_32, M1.tolist(), C1.tolist())  # lists do not force float64
    assert got32.dtype == torch.float32
    np.testing.assert_allclose(got32.numpy(), want, rtol=1e-4)
    got_int = f(
        torch.tensor([0, 0]), torch.tensor([[2, 1], [1, 3]]), [0.5, 0.5], [[1.0, 0.0], [0.0, 1.5]]
    )
    assert got_int.dtype == torch.get_default_dtype()
    want_int = np.asarray(
        f(np.zeros(2), np.array([[2.0, 1.0], [1.0, 3.0]]), [0.5, 0.5], [[1.0, 0.0], [0.0, 1.5]])
    )
    np.testing.assert_allclose(got_int.numpy(), want_int, rtol=1e-5)


def test_kl_with_integer_mean_tensor_against_closed_form():
    # KL(N(0, I) || N((0.5, 0.5), I)) = |dm|^2 / 2 = 0.25; the old code truncated (0.5, 0.5) to 0
    got = kl_gaussian(torch.tensor([0, 0]), torch.eye(2), [0.5, 0.5], np.eye(2).tolist())
    assert abs(float(got) - 0.25) < 1e-6


def test_float32_numpy_stays_float32():
    m, C = M0.astype(np.float32), C0.astype(np.float32)
    assert np.asarray(gaussian_w2(m, C, m, C)).dtype == np.float32
    assert (
        np.asarray(kl_gaussian(m, C, M1.astype(np.float32), C1.astype(np.float32))).dtype
        == np.float32
    )


def test_monge_map_point_checks():
    T = gaussian_monge_map(M0, C0, M1, C1)
    with pytest.raises(TypeError, match="x has dtype complex"):
        T(np.array([1.0, 2.0]) + 1j)
    with pytest.raises(ValueError, match=r"x must have shape \(\.\.\., 2\)"):
        T(np.zeros(3))
    np.testing.assert_allclose(T(torch.tensor([[0.0, 0.0]], dtype=torch.int64)).shape, (1, 2))


# -- issue 17: silent wrong answers -------------------------------------------------


def test_fisher_divergence_gaussian_far_means_do_not_overflow():
    from divlib import fisher_divergence_gaussian

    F = fisher_divergence_gaussian([0.0, 0.0], np.eye(2), [1e100, 0.0], np.eye(2))
    assert float(F) == pytest.approx(1e200, rel=1e-12)


def test_gaussian_w2_of_identical_gaussians_is_zero():
    # found by hypothesis: sqrt of the trace round-off gave 1.5e-8
    from divlib import gaussian_w2

    assert float(gaussian_w2(0.0, 0.833**2, 0.0, 0.833**2)) == 0.0
    C = np.array([[2.0, 0.3], [0.3, 1.0]])
    assert float(gaussian_w2(np.ones(2), C, np.ones(2), C)) == 0.0
