"""Tests of divlib._vi.gaussian_elbo.

Oracles: for a Gaussian posterior the ELBO is log Z - KL(q || posterior) with the KL from
torch.distributions (not divlib); for a non-Gaussian 1-D target, the ELBO by
scipy.integrate.quad; the reparameterised gradient against the closed-form gradient.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy import integrate, stats

from conftest import npy
from divlib import gaussian_elbo


def td_kl(m0, C0, m1, C1):
    p = torch.distributions.MultivariateNormal(torch.tensor(m0), torch.tensor(C0))
    q = torch.distributions.MultivariateNormal(torch.tensor(m1), torch.tensor(C1))
    return float(torch.distributions.kl_divergence(p, q))


def test_gaussian_posterior_identity(xp):
    # log p(x, z) = log Z + log N(z; mu, S): ELBO(q) = log Z - KL(q || N(mu, S))
    mu, S = np.array([1.0, -2.0]), np.array([[2.0, 0.6], [0.6, 1.0]])
    log_Z = -3.7
    post = stats.multivariate_normal(mu, S)
    m, L = np.array([0.5, -1.5]), np.array([[1.1, 0.0], [0.3, 0.7]])
    if xp(m).__class__ is torch.Tensor:

        def log_joint(z):
            return log_Z + torch.distributions.MultivariateNormal(
                torch.tensor(mu), torch.tensor(S)
            ).log_prob(z)
    else:

        def log_joint(z):
            return log_Z + post.logpdf(z)

    want = log_Z - td_kl(m, L @ L.T, mu, S)
    got = npy(gaussian_elbo(log_joint, xp(m), xp(L), n_samples=400_000, seed=1))
    assert abs(float(got) - want) < 0.01
    assert float(got) < log_Z


def test_constant_log_joint_gives_entropy_exactly():
    L = np.array([[2.0, 0.0], [1.0, 0.5]])
    got = gaussian_elbo(lambda z: np.zeros(len(z)), np.zeros(2), L, n_samples=3, seed=0)
    want = stats.multivariate_normal(np.zeros(2), L @ L.T).entropy()
    assert np.isclose(float(got), want, rtol=1e-12)


def test_non_gaussian_target_against_quad():
    # log p(x, z) = log of a 1-D logistic density (not Gaussian)
    def lj(z):
        return stats.logistic.logpdf(z[:, 0], loc=0.3)

    m, s = 0.1, 1.4
    q = stats.norm(m, s)
    want = integrate.quad(
        lambda z: q.pdf(z) * (stats.logistic.logpdf(z, loc=0.3) - q.logpdf(z)), -40, 40
    )[0]
    got = gaussian_elbo(lj, np.array([m]), np.array([[s]]), n_samples=400_000, seed=2)
    assert abs(float(got) - want) < 0.01


def test_reparameterised_gradient_matches_closed_form():
    # target N(0, I): ELBO = -KL(N(m, diag(s^2)) || N(0, I)); d/dm = -m, d/ds = 1/s - s
    m = torch.tensor([0.4, -0.3], dtype=torch.float64, requires_grad=True)
    s = torch.tensor([0.7, 1.3], dtype=torch.float64, requires_grad=True)

    def lj(z):
        return -0.5 * (z**2).sum(1) - np.log(2 * np.pi)

    gaussian_elbo(lj, m, torch.diag(s), n_samples=400_000, seed=3).backward()
    sd = s.detach().numpy()
    assert np.allclose(m.grad.numpy(), -m.detach().numpy(), atol=0.01)
    assert np.allclose(s.grad.numpy(), 1 / sd - sd, atol=0.01)


def test_same_noise_for_numpy_and_torch():
    m, L = np.array([0.2, 0.1]), np.array([[1.0, 0.0], [0.5, 0.8]])
    a = gaussian_elbo(lambda z: -(z**2).sum(1), m, L, n_samples=50, seed=7)
    b = gaussian_elbo(
        lambda z: -(z**2).sum(1), torch.tensor(m), torch.tensor(L), n_samples=50, seed=7
    )
    assert isinstance(b, torch.Tensor)
    assert np.isclose(float(a), float(b), rtol=1e-12)


def test_hostile_inputs():
    def lj(z):
        return -(z**2).sum(1)

    m, L = np.zeros(2), np.eye(2)
    with pytest.raises(ValueError, match="above the diagonal"):
        gaussian_elbo(lj, m, np.array([[1.0, 0.2], [0.0, 1.0]]))
    with pytest.raises(ValueError, match="diagonal entries <= 0"):
        gaussian_elbo(lj, m, np.diag([1.0, -1.0]))
    with pytest.raises(
        ValueError,
        match=r"scale_tril has shape \(3, 3\) but mean has d = 2; "
        r"a Cholesky factor must be a \(2, 2\) matrix",
    ):
        gaussian_elbo(lj, m, np.eye(3))
    with pytest.raises(ValueError, match="mean must be a vector"):
        gaussian_elbo(lj, np.zeros((2, 1)), L)
    with pytest.raises(ValueError, match="mean has 1 NaN"):
        gaussian_elbo(lj, np.array([0.0, np.nan]), L)
    with pytest.raises(TypeError, match="mean has dtype complex"):
        gaussian_elbo(lj, m + 0j, L)
    with pytest.raises(ValueError, match="n_samples must be an integer >= 1"):
        gaussian_elbo(lj, m, L, n_samples=0)
    with pytest.raises(TypeError, match="log_joint must be callable"):
        gaussian_elbo(3.0, m, L)
    with pytest.raises(ValueError, match="log_joint returned shape"):
        gaussian_elbo(lambda z: z, m, L, n_samples=5)
    with pytest.raises(ValueError, match="log_joint\\(x\\) has 5 NaN"):
        gaussian_elbo(lambda z: np.full(len(z), np.nan), m, L, n_samples=5)


def test_mixed_numpy_mean_torch_scale():
    L = torch.tensor([[1.0, 0.0], [0.2, 0.5]], dtype=torch.float64, requires_grad=True)
    out = gaussian_elbo(lambda z: -(z**2).sum(1), np.zeros(2), L, n_samples=10, seed=0)
    assert isinstance(out, torch.Tensor)
    out.backward()
    assert L.grad is not None and torch.all(torch.isfinite(L.grad))


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(scale_tril=np.diag([1.0, np.inf])), ValueError, "scale_tril has 1 infinite"),
        (dict(mean=np.zeros(0), scale_tril=np.eye(0)), ValueError, "mean is empty"),
        (dict(mean=np.array([True, False])), TypeError, "mean has dtype bool"),
        (dict(mean="ab"), TypeError, "mean has dtype"),
        (dict(n_samples=2.5), ValueError, "n_samples must be a whole number"),
        (dict(n_samples=float("nan")), ValueError, "n_samples must be a number, got NaN"),
        (dict(seed=1.5), ValueError, "seed must be a whole number"),
        (dict(seed=-1), ValueError, "seed must be an integer >= 0"),
    ],
)
def test_hostile_table(kwargs, error, match):
    args = dict(mean=np.zeros(2), scale_tril=np.eye(2))
    args.update(kwargs)
    with pytest.raises(error, match=match):
        gaussian_elbo(lambda z: -(z**2).sum(1), args.pop("mean"), args.pop("scale_tril"), **args)


def test_integer_mean_is_promoted_not_truncated():
    # an integer mean (numpy or torch) gives the value of the same float mean
    def lj(z):
        return -(z**2).sum(1)

    ref = gaussian_elbo(lj, np.array([1.0, 2.0]), np.eye(2), n_samples=5, seed=0)
    assert np.isclose(gaussian_elbo(lj, np.array([1, 2]), np.eye(2), n_samples=5, seed=0), ref)
    out = gaussian_elbo(lj, torch.tensor([1, 2]), torch.eye(2), n_samples=5, seed=0)
    assert out.dtype.is_floating_point and np.isclose(float(out), ref, rtol=1e-5)


# -- issue 17: crashes and dtypes ---------------------------------------------------


def test_log_joint_of_the_other_backend_is_refused_by_name():
    with pytest.raises(TypeError, match="log_joint returned a torch.Tensor"):
        gaussian_elbo(lambda z: torch.zeros(len(z)), np.zeros(2), np.eye(2), seed=0)


def test_numpy_float32_stays_float32():
    m, L = np.zeros(2, dtype=np.float32), np.eye(2, dtype=np.float32)
    elbo = gaussian_elbo(lambda z: -0.5 * np.sum(z**2, axis=1), m, L, seed=0)
    assert elbo.dtype == np.float32
