"""W_2 between Gaussians and the Gaussian Monge map (issue 4).

Oracles: POT's ot.gaussian.bures_wasserstein_distance, scipy.linalg.sqrtm
for the textbook formula, the 1-D closed form sqrt((m0-m1)^2 + (s0-s1)^2),
large-sample wasserstein_1d, and the defining identities of the map
(A C0 A = C1, A symmetric positive definite, cost E|T(X) - X|^2 = W_2^2).
"""

from __future__ import annotations

import numpy as np
import ot
import pytest
import scipy.linalg as sla
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from divlib import gaussian_monge_map, gaussian_w2, wasserstein_1d
from conftest import HYP, npy  # noqa: E402  (tests/conftest.py)

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
    assert np.isclose(gaussian_w2(m0, s0**2, m1, s1**2), np.hypot(m0 - m1, s0 - s1), rtol=1e-9, atol=1e-12)


def test_gaussian_w2_matches_large_sample_w1d():
    rng = np.random.default_rng(0)
    x, y = rng.normal(1.0, 2.0, size=200_000), rng.normal(-0.5, 0.5, size=200_000)
    assert np.isclose(wasserstein_1d(x, y, p=2), gaussian_w2(1.0, 4.0, -0.5, 0.25), rtol=5e-3)


@HYP
@given(seed=st.integers(0, 2**32 - 1), d=st.integers(1, 4))
def test_gaussian_w2_metric_axioms(seed, d):
    rng = np.random.default_rng(seed)
    g = [(rng.normal(size=d), spd(rng, d)) for _ in range(3)]
    w = lambda i, j: gaussian_w2(g[i][0], g[i][1], g[j][0], g[j][1])  # noqa: E731
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
    fd = (gaussian_w2(m, C0, m, C1.detach() + h * D) - gaussian_w2(m, C0, m, C1.detach() - h * D)) / (2 * h)
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
    T = gaussian_monge_map(torch.zeros(2, dtype=torch.float64), torch.eye(2, dtype=torch.float64) * 2, torch.ones(2, dtype=torch.float64), C1)
    y = T(torch.ones(3, 2, dtype=torch.float64))
    (g,) = torch.autograd.grad(y.sum(), C1)
    assert isinstance(y, torch.Tensor) and torch.isfinite(g).all()


@pytest.mark.parametrize(
    "args,match",
    [
        ((np.zeros(2), np.eye(2), np.zeros(3), np.eye(3)), "m0 lives in d = 2 dimensions but m1 in d = 3"),
        ((np.zeros(2), np.eye(3), np.zeros(2), np.eye(2)), r"C0 has shape \(3, 3\) but m0 has d = 2"),
        ((np.zeros(2), np.array([[1.0, 0.5], [0.0, 1.0]]), np.zeros(2), np.eye(2)), "C0 is not symmetric"),
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
