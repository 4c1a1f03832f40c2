"""Tests of divlib._policy: clipped surrogate, adaptive KL coefficient, Fisher matrix,
conjugate gradient, trust-region step.

Oracles: the clipped objective by cases written out by hand; the Fisher matrix as the
expected outer product of scores by enumeration and as the torch.autograd Hessian of
KL(pi_old || pi_theta); conjugate gradient against numpy.linalg.solve; the trust-region
step against the Lagrangian solution with numpy.linalg.solve.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from conftest import HYP, npy
from divlib import ConvergenceWarning
from divlib._policy import (
    adaptive_kl_coef,
    categorical_fisher,
    clipped_surrogate,
    conjugate_gradient,
    trust_region_step,
)


def clip_by_cases(r, a, eps):
    """PPO's per-sample clipped term, written by the four cases of the paper's figure 1."""
    out = np.empty_like(r)
    for i, (ri, ai) in enumerate(zip(r, a)):
        if ai >= 0:
            out[i] = (1 + eps) * ai if ri > 1 + eps else ri * ai
        else:
            out[i] = (1 - eps) * ai if ri < 1 - eps else ri * ai
    return out.mean()


@HYP
@given(st.integers(0, 10_000), st.floats(0.05, 0.5))
def test_clipped_matches_cases(seed, eps):
    rng = np.random.default_rng(seed)
    r = np.exp(rng.normal(0, 0.5, size=20))
    a = rng.normal(size=20)
    lp_old = rng.normal(size=20)
    got = clipped_surrogate(np.log(r) + lp_old, lp_old, a, eps=eps)
    assert np.isclose(float(got), clip_by_cases(r, a, eps), rtol=1e-12, atol=1e-12)


def test_clipped_backends_and_gradient(xp):
    rng = np.random.default_rng(1)
    r = np.array([0.5, 0.9, 1.1, 1.5, 0.7, 1.3])
    a = np.array([1.0, 1.0, 1.0, 1.0, -1.0, -1.0])
    lp_old = rng.normal(size=6)
    got = clipped_surrogate(xp(np.log(r) + lp_old), xp(lp_old), xp(a), eps=0.2)
    assert np.isclose(npy(got), clip_by_cases(r, a, 0.2))
    # gradient in log pi_new: r_i A_i / n where the term is unclipped, else 0
    lp_new = torch.tensor(np.log(r) + lp_old, requires_grad=True)
    clipped_surrogate(lp_new, torch.tensor(lp_old), torch.tensor(a), eps=0.2).backward()
    active = np.array([True, True, True, False, False, True])  # r=0.7, A<0: clipped
    want = np.where(active, r * a / 6, 0.0)
    assert np.allclose(lp_new.grad.numpy(), want)


def test_clipped_at_old_policy_is_importance_sampled_gradient():
    a = np.array([0.3, -1.2, 2.0])
    lp = torch.tensor([-1.0, -0.5, -2.0], requires_grad=True)
    clipped_surrogate(lp, lp.detach().clone(), torch.tensor(a)).backward()
    assert np.allclose(lp.grad.numpy(), a / 3)


@pytest.mark.parametrize(
    "kwargs, err, match",
    [
        ({"eps": 0.0}, ValueError, "eps must be a number > 0"),
        ({"eps": 1.0}, ValueError, "eps must be a number < 1"),
        ({"eps": float("nan")}, ValueError, "eps must be a number, got NaN"),
        ({"eps": True}, TypeError, "eps must be a real number"),
    ],
)
def test_clipped_bad_eps(kwargs, err, match):
    with pytest.raises(err, match=match):
        clipped_surrogate(np.zeros(3), np.zeros(3), np.ones(3), **kwargs)


def test_clipped_hostile_arrays():
    z = np.zeros(3)
    with pytest.raises(ValueError, match="advantages has 1 NaN"):
        clipped_surrogate(z, z, np.array([1.0, np.nan, 0.0]))
    with pytest.raises(ValueError, match="log_prob_new has 1 infinite"):
        clipped_surrogate(np.array([0.0, np.inf, 0.0]), z, z)
    with pytest.raises(ValueError, match="log_prob_new is empty"):
        clipped_surrogate(np.zeros(0), np.zeros(0), np.zeros(0))
    with pytest.raises(ValueError, match="same shape"):
        clipped_surrogate(np.zeros(3), np.zeros(4), np.zeros(3))
    with pytest.raises(TypeError, match="advantages has dtype complex"):
        clipped_surrogate(z, z, z + 1j)
    with pytest.raises(TypeError, match="log_prob_old has dtype bool"):
        clipped_surrogate(z, np.zeros(3, dtype=bool), z)
    # integers are fine: cast to float
    assert float(clipped_surrogate(np.zeros(3, dtype=int), z, np.ones(3, dtype=int))) == 1.0


def test_adaptive_kl_coef_rule():
    assert adaptive_kl_coef(1.0, 0.016, 0.01) == 2.0
    assert adaptive_kl_coef(1.0, 0.006, 0.01) == 0.5
    assert adaptive_kl_coef(1.0, 0.014, 0.01) == 1.0
    assert adaptive_kl_coef(1.0, 0.0, 0.01) == 0.5
    assert adaptive_kl_coef(1.0, float("inf"), 0.01) == 2.0
    assert adaptive_kl_coef(3.0, 0.1, 0.01, tolerance=2.0, factor=3.0) == 9.0
    with pytest.raises(ValueError, match="beta must be a number > 0"):
        adaptive_kl_coef(0.0, 0.01, 0.01)
    with pytest.raises(ValueError, match="kl must be a number >= 0"):
        adaptive_kl_coef(1.0, -0.01, 0.01)
    with pytest.raises(ValueError, match="tolerance must be a number > 1"):
        adaptive_kl_coef(1.0, 0.01, 0.01, tolerance=1.0)


def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@HYP
@given(st.integers(0, 10_000), st.integers(2, 6))
def test_fisher_is_expected_score_outer_product(seed, K):
    pi = softmax(np.random.default_rng(seed).normal(size=K))
    scores = np.eye(K) - pi  # row a: grad_z log pi_a = e_a - pi
    want = sum(pi[a] * np.outer(scores[a], scores[a]) for a in range(K))
    assert np.allclose(categorical_fisher(pi), want, atol=1e-14)


def test_fisher_is_hessian_of_kl():
    z0 = torch.tensor([0.3, -1.0, 0.5, 1.2], dtype=torch.float64)
    p0 = torch.softmax(z0, 0)

    def kl(z):  # KL(pi_old || pi_z)
        return torch.sum(p0 * (torch.log(p0) - torch.log_softmax(z, 0)))

    H = torch.autograd.functional.hessian(kl, z0)
    F = categorical_fisher(p0)
    assert isinstance(F, torch.Tensor)
    assert torch.allclose(F, H, atol=1e-12)


def test_fisher_batched_and_quadratic_kl():
    rng = np.random.default_rng(3)
    z = rng.normal(size=(5, 4))
    F = categorical_fisher(softmax(z))
    assert F.shape == (5, 4, 4)
    d = rng.normal(size=(5, 4))
    for h in [1e-2, 1e-3]:
        p, q = softmax(z), softmax(z + h * d)
        kl = np.sum(p * np.log(p / q), axis=-1)
        quad = 0.5 * np.einsum("si,sij,sj->s", h * d, F, h * d)
        assert np.allclose(kl / quad, 1.0, atol=20 * h)


def test_fisher_hostile():
    with pytest.raises(ValueError, match="probs sums to"):
        categorical_fisher(np.array([0.5, 0.6]))
    with pytest.raises(ValueError, match="probs has 1 negative"):
        categorical_fisher(np.array([1.5, -0.5]))
    with pytest.raises(
        ValueError, match="probs is a scalar; a distribution needs an axis of outcomes"
    ):
        categorical_fisher(np.float64(1.0))
    with pytest.raises(TypeError, match="probs has dtype complex"):
        categorical_fisher(np.array([0.5, 0.5]) + 0j)


def spd(rng, d, cond=50.0):
    Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    return Q @ np.diag(np.geomspace(1.0, cond, d)) @ Q.T


def test_cg_matches_solve(xp):
    rng = np.random.default_rng(4)
    A = spd(rng, 8)
    b = rng.normal(size=8)
    At = xp(A)
    x = conjugate_gradient(lambda v: At @ v, xp(b), n_iter=30, tol=1e-28)
    assert type(x) is type(xp(b))
    assert np.allclose(npy(x), np.linalg.solve(A, b), rtol=1e-8)


def test_cg_few_iterations_reduce_error_monotonically_in_A_norm():
    rng = np.random.default_rng(5)
    A = spd(rng, 20, cond=100.0)
    b = rng.normal(size=20)
    x_star = np.linalg.solve(A, b)
    errs = []
    for k in range(1, 12):
        with pytest.warns(ConvergenceWarning, match="n_iter"):  # truncated on purpose
            x = conjugate_gradient(lambda v: A @ v, b, n_iter=k, tol=0.0)
        e = x - x_star
        errs.append(float(e @ A @ e))
    assert all(e2 <= e1 * (1 + 1e-10) for e1, e2 in itertools.pairwise(errs))
    kappa = 100.0
    bound = 2 * ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 11
    assert np.sqrt(errs[-1] / (x_star @ A @ x_star)) <= bound


def test_cg_hostile():
    A = np.eye(3)
    with pytest.raises(ValueError, match="not positive definite"):
        conjugate_gradient(lambda v: -v, np.ones(3))
    with pytest.raises(ValueError, match="Avp returned shape"):
        conjugate_gradient(lambda v: np.ones(4), np.ones(3))
    with pytest.raises(ValueError, match="Avp\\(x\\) has 3 NaN"):
        conjugate_gradient(lambda v: v * np.nan, np.ones(3))
    with pytest.raises(TypeError, match="Avp must be callable"):
        conjugate_gradient(A, np.ones(3))
    with pytest.raises(ValueError, match="b must be a vector"):
        conjugate_gradient(lambda v: v, np.ones((3, 1)))
    with pytest.raises(ValueError, match="n_iter must be an integer >= 1"):
        conjugate_gradient(lambda v: v, np.ones(3), n_iter=0)
    with pytest.raises(ValueError, match="b has 1 NaN"):
        conjugate_gradient(lambda v: v, np.array([1.0, np.nan]))


def test_trust_region_step_lagrangian(xp):
    rng = np.random.default_rng(6)
    F = spd(rng, 5)
    g = rng.normal(size=5)
    Ft = xp(F)
    s = npy(trust_region_step(lambda v: Ft @ v, xp(g), 0.02, n_iter=20))
    x = np.linalg.solve(F, g)
    want = np.sqrt(2 * 0.02 / (x @ F @ x)) * x  # maximiser of g.s s.t. s F s / 2 = 0.02
    assert np.allclose(s, want, rtol=1e-6)
    assert np.isclose(0.5 * s @ F @ s, 0.02)


def test_trust_region_step_damped_singular_fisher():
    pi = softmax(np.array([0.2, -0.4, 1.0]))
    F = categorical_fisher(pi)  # singular along (1, 1, 1)
    g = np.array([1.0, -0.5, 0.0])
    s = trust_region_step(lambda v: F @ v, g, 0.01, damping=1e-3, n_iter=20)
    Fd = F + 1e-3 * np.eye(3)
    x = np.linalg.solve(Fd, g)
    assert np.allclose(s, np.sqrt(0.02 / (x @ Fd @ x)) * x, rtol=1e-6)
    with pytest.raises(ValueError, match="g is all zero"):
        trust_region_step(lambda v: F @ v, np.zeros(3), 0.01)
    with pytest.raises(ValueError, match="max_kl must be a number > 0"):
        trust_region_step(lambda v: F @ v, g, 0.0)
    with pytest.raises(ValueError, match="damping must be a number >= 0"):
        trust_region_step(lambda v: F @ v, g, 0.01, damping=-1.0)


def test_cg_tolerance_is_relative():
    # a tiny right-hand side must still be solved, not returned as 0
    A = np.diag([1.0, 2.0, 5.0])
    b = 1e-8 * np.array([1.0, -1.0, 2.0])
    x = conjugate_gradient(lambda v: A @ v, b, n_iter=10)
    assert np.allclose(x, np.linalg.solve(A, b), rtol=1e-8, atol=0)
    assert np.all(conjugate_gradient(lambda v: A @ v, np.zeros(3)) == 0)


def test_trust_region_step_tiny_gradient_is_scaled_not_nan():
    F = np.diag([1.0, 4.0])
    s = trust_region_step(lambda v: F @ v, np.array([1e-9, 2e-9]), 0.01)
    assert np.all(np.isfinite(s)) and np.isclose(0.5 * s @ F @ s, 0.01)
    with pytest.raises(ValueError, match="not positive definite"):
        trust_region_step(lambda v: 0 * v, np.array([1.0, 0.0]), 0.01)


def test_mixed_numpy_torch_inputs_follow_torch():
    lp_new = torch.tensor([-0.1, -0.2], dtype=torch.float64, requires_grad=True)
    out = clipped_surrogate(lp_new, np.array([-0.2, -0.1]), np.array([1.0, -1.0]))
    assert isinstance(out, torch.Tensor) and out.requires_grad
    r = np.exp([0.1, -0.1])
    assert np.isclose(float(out.detach()), clip_by_cases(r, np.array([1.0, -1.0]), 0.2))
    A = np.array([[2.0, 0.5], [0.5, 1.0]])
    x = conjugate_gradient(lambda v: A @ v, np.array([1, 2]), n_iter=5)  # integer b
    assert np.allclose(x, np.linalg.solve(A, [1.0, 2.0]))


# -- issue 17: silent wrong answers and crashes -------------------------------------

A2 = np.array([[4.0, 1.0], [1.0, 3.0]])


@pytest.mark.parametrize("scale", [1e-200, 1e-160, 1e154, 1e200])
def test_cg_is_scale_free(scale):
    b = np.array([1.0, 2.0])
    want = np.linalg.solve(A2, b) * scale
    x = conjugate_gradient(lambda v: A2 @ v, b * scale)
    np.testing.assert_allclose(x, want, rtol=1e-12)


def test_cg_is_scale_free_float32():
    A = A2.astype(np.float32)
    x = conjugate_gradient(lambda v: A @ v, np.array([1e20, 2e20], dtype=np.float32))
    np.testing.assert_allclose(x, np.linalg.solve(A2, [1e20, 2e20]), rtol=1e-5)


@pytest.mark.parametrize("scale", [1e-200, 1e-160, 1.0, 1e200])
def test_trust_region_step_is_scale_free_in_g(scale):
    F = np.diag([1.0, 4.0])
    s = trust_region_step(lambda v: F @ v, np.array([1.0, 1.0]) * scale, 0.01)
    np.testing.assert_allclose(0.5 * s @ F @ s, 0.01, rtol=1e-12)


def test_cg_warns_when_not_converged():
    with pytest.warns(ConvergenceWarning, match="n_iter"):
        conjugate_gradient(lambda v: np.array([[1.0, 2.0], [0.0, 1.0]]) @ v, np.ones(2))
    M = np.diag(np.linspace(1.0, 1000.0, 50))
    with pytest.warns(ConvergenceWarning, match="n_iter"):
        conjugate_gradient(lambda v: M @ v, np.ones(50), n_iter=10)


def test_trust_region_step_messages_name_its_own_arguments():
    with pytest.raises(ValueError, match="Fvp"):
        trust_region_step(lambda v: np.ones(3), np.ones(2), 0.1)
    with pytest.raises(TypeError, match="Fvp"):
        trust_region_step(lambda v: torch.ones(2, dtype=torch.float64), np.ones(2), 0.1)


def test_callable_of_the_other_backend_is_refused_by_name():
    with pytest.raises(TypeError, match="Avp"):
        conjugate_gradient(lambda v: torch.as_tensor(v), np.ones(2))
    with pytest.raises(TypeError, match="Avp"):
        conjugate_gradient(lambda v: v.numpy(), torch.ones(2, dtype=torch.float64))


def test_clipped_overflowing_ratio_with_zero_advantage():
    out = clipped_surrogate(np.array([0.0]), np.array([-800.0]), np.array([0.0]))
    assert float(out) == 0.0
    lp = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    L = clipped_surrogate(lp, torch.tensor([-800.0], dtype=torch.float64), torch.ones(1))
    L.backward()
    assert float(L.detach()) == pytest.approx(1.2) and float(lp.grad) == 0.0  # clipped


def test_clipped_refuses_shapes_that_broadcast_to_a_matrix():
    with pytest.raises(ValueError, match="same shape"):
        clipped_surrogate(np.log([[0.5], [1.5]]), np.zeros(2), np.array([1.0, -1.0]))


def test_infinite_hyperparameters_refused():
    with pytest.raises(ValueError, match="beta"):
        adaptive_kl_coef(np.inf, 0.1, 0.01)
    with pytest.raises(ValueError, match="factor"):
        adaptive_kl_coef(1.0, 0.1, 0.01, factor=np.inf)
    with pytest.raises(ValueError, match="kl_target"):
        adaptive_kl_coef(1.0, 0.1, np.inf)
    with pytest.raises(ValueError, match="max_kl"):
        trust_region_step(lambda v: v, np.ones(2), np.inf)


def test_numpy_float32_stays_float32():
    assert categorical_fisher(np.array([0.5, 0.5], dtype=np.float32)).dtype == np.float32


@pytest.mark.parametrize("tol", [np.inf, -np.inf, np.nan])
def test_conjugate_gradient_refuses_a_non_finite_tol(tol):
    # issue 17 (hostile table): tol = inf returned x = 0 without an iteration, silently
    A = np.array([[4.0, 1.0], [1.0, 3.0]])
    with pytest.raises(ValueError, match=r"\btol\b"):
        conjugate_gradient(lambda v: A @ v, np.array([1.0, 2.0]), tol=tol)
    assert np.allclose(
        conjugate_gradient(lambda v: A @ v, np.array([1.0, 2.0]), tol=0.0),
        np.linalg.solve(A, [1.0, 2.0]),
    )
