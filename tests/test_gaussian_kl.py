"""kl_gaussian: KL(N(m0, C0) || N(m1, C1)) in closed form (issue 3).

Oracles: the 1-D formula in the variances, torch.distributions (Normal,
MultivariateNormal), Monte Carlo with scipy.stats.multivariate_normal, and
the affine invariance of KL.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats as sst
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from divlib import kl_gaussian


def random_gaussian(rng, d):
    A = rng.standard_normal((d, d))
    return rng.standard_normal(d), A @ A.T + 0.5 * np.eye(d)


def torch_mvn(m, C):
    return torch.distributions.MultivariateNormal(torch.tensor(m), covariance_matrix=torch.tensor(C))


@pytest.mark.parametrize("m0,v0,m1,v1", [(0.0, 1.0, 1.0, 4.0), (2.0, 0.3, -1.0, 0.3), (0.0, 5.0, 0.0, 0.1)])
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
    log_ratio = sst.multivariate_normal(m0, C0).logpdf(x) - sst.multivariate_normal(m1, C1).logpdf(x)
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
    t = kl_gaussian(torch.zeros(2, dtype=torch.float32), torch.eye(2), torch.ones(2), 2 * torch.eye(2))
    assert isinstance(t, torch.Tensor) and t.dtype == torch.float32
    mixed = kl_gaussian(torch.zeros(2, dtype=torch.float64), np.eye(2), [1.0, 0.0], 2 * np.eye(2))
    assert isinstance(mixed, torch.Tensor) and mixed.dtype == torch.float64


def test_gradcheck():
    rng = np.random.default_rng(2)
    d = 3
    args = [torch.tensor(v, requires_grad=True) for v in
            (rng.standard_normal(d), rng.standard_normal((d, d)), rng.standard_normal(d), rng.standard_normal((d, d)))]

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
