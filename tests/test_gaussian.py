"""divlib._gaussian: dtype policy, scale invariance and shared checks (issue 8).

The values of each closed form are checked against oracles in test_gaussian_kl.py
(torch.distributions, Monte Carlo) and test_gaussian_w2.py (POT, scipy sqrtm).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.linalg as sla
import torch

from divlib import fisher_divergence_gaussian, gaussian_monge_map, gaussian_w2, kl_gaussian

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
    np.testing.assert_allclose(float(gaussian_w2(s * M0, s * s * C0, s * M1, s * s * C1)), s * w, rtol=1e-10)
    np.testing.assert_allclose(
        float(kl_gaussian(s * M0, s * s * C0, s * M1, s * s * C1)), float(kl_gaussian(M0, C0, M1, C1)), rtol=1e-10
    )
    np.testing.assert_allclose(
        float(fisher_divergence_gaussian(s * M0, s * s * C0, s * M1, s * s * C1)),
        float(fisher_divergence_gaussian(M0, C0, M1, C1)) / (s * s), rtol=1e-10,
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


@pytest.mark.parametrize("f", ALL + (lambda *a: gaussian_monge_map(*a).A,), ids=["kl", "w2", "fisher", "monge"])
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
    got_int = f(torch.tensor([0, 0]), torch.tensor([[2, 1], [1, 3]]), [0.5, 0.5], [[1.0, 0.0], [0.0, 1.5]])
    assert got_int.dtype == torch.get_default_dtype()
    want_int = np.asarray(f(np.zeros(2), np.array([[2.0, 1.0], [1.0, 3.0]]), [0.5, 0.5], [[1.0, 0.0], [0.0, 1.5]]))
    np.testing.assert_allclose(got_int.numpy(), want_int, rtol=1e-5)


def test_kl_with_integer_mean_tensor_against_closed_form():
    # KL(N(0, I) || N((0.5, 0.5), I)) = |dm|^2 / 2 = 0.25; the old code truncated (0.5, 0.5) to 0
    got = kl_gaussian(torch.tensor([0, 0]), torch.eye(2), [0.5, 0.5], np.eye(2).tolist())
    assert abs(float(got) - 0.25) < 1e-6


def test_float32_numpy_stays_float32():
    m, C = M0.astype(np.float32), C0.astype(np.float32)
    assert np.asarray(gaussian_w2(m, C, m, C)).dtype == np.float32
    assert np.asarray(kl_gaussian(m, C, M1.astype(np.float32), C1.astype(np.float32))).dtype == np.float32


def test_monge_map_point_checks():
    T = gaussian_monge_map(M0, C0, M1, C1)
    with pytest.raises(TypeError, match="x has dtype complex"):
        T(np.array([1.0, 2.0]) + 1j)
    with pytest.raises(ValueError, match=r"x must have shape \(\.\.\., 2\)"):
        T(np.zeros(3))
    np.testing.assert_allclose(T(torch.tensor([[0.0, 0.0]], dtype=torch.int64)).shape, (1, 2))
