"""Score models (ScoreMLP, LinearScore) and train_score_model.

Oracles: the Gaussian score family recovers the moments of Gaussian data (the
exact and sliced losses) or of the noised Gaussian (the denoising loss); the
full-batch exact loss is quadratic, so its minimiser is the sample moment
estimate; the noise-conditional MLP is compared with the exact blurred score of
a Gaussian mixture.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import divlib
from divlib import GaussianMixture, LinearScore, ScoreMLP, fisher_divergence, train_score_model

pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tests/conftest.py


@pytest.mark.parametrize("loss", ["hyvarinen", "sliced", "denoising"])
def test_training_a_linear_model_recovers_the_gaussian(loss):
    rng = np.random.default_rng(9)
    m, C = np.array([1.0, -2.0]), np.array([[0.5, 0.2], [0.2, 0.3]])
    x = rng.multivariate_normal(m, C, size=5000)
    model = LinearScore(2, dtype=torch.float64)
    sigma = 0.1
    kwargs = dict(sigma=sigma) if loss == "denoising" else {}
    losses = train_score_model(
        model, x, loss=loss, n_steps=600, lr=0.05, batch_size=1000, seed=0, **kwargs
    )
    A, b = model.A.detach().numpy(), model.b.detach().numpy()
    # the denoising loss recovers the noised Gaussian N(m, C + sigma^2 I)
    target_C = C + sigma**2 * np.eye(2) if loss == "denoising" else C
    assert losses[-50:].mean() < losses[:10].mean()
    assert np.allclose(b, m, atol=0.05)
    assert np.allclose(A, np.linalg.inv(target_C), rtol=0.1, atol=0.15)


def test_full_batch_hyvarinen_fit_is_the_sample_moment_estimate():
    """The exact loss is quadratic: its minimiser is A = S^{-1}, b = sample mean."""
    rng = np.random.default_rng(10)
    x = rng.multivariate_normal([0.5, 1.0], [[1.0, 0.3], [0.3, 0.5]], size=2000)
    model = LinearScore(2, dtype=torch.float64)
    train_score_model(model, x, loss="hyvarinen", n_steps=800, lr=0.05, batch_size=None)
    S = np.cov(x.T, bias=True)
    assert np.allclose(model.b.detach().numpy(), x.mean(0), atol=1e-3)
    assert np.allclose(model.A.detach().numpy(), np.linalg.inv(S), atol=1e-3)


def test_noise_conditional_mlp_learns_the_blurred_mixture_score():
    gm = GaussianMixture([[-2.0, 0.0], [2.0, 0.0]], covs=0.25)
    x = gm.sample(2000, seed=0)
    sigmas = [1.0, 0.5]
    model = ScoreMLP(2, hidden=32, noise_conditional=True, seed=0, dtype=torch.float64)
    xt = torch.as_tensor(gm.sample(2000, seed=1))
    sig = torch.full((2000,), 0.5, dtype=torch.float64)
    noisy = xt + 0.5 * torch.as_tensor(np.random.default_rng(2).normal(size=(2000, 2)))

    def error():
        with torch.no_grad():
            return float(
                fisher_divergence(lambda y: model(y, sig), lambda y: gm.score(y, sig), noisy)
            )

    before = error()
    train_score_model(model, x, loss="denoising", sigma=sigmas, n_steps=400, lr=3e-3, seed=0)
    after = error()
    reference = float(
        fisher_divergence(lambda y: torch.zeros_like(y), lambda y: gm.score(y, sig), noisy)
    )
    assert after < 0.2 * min(before, reference)


def test_score_mlp_shapes_seed_and_sigma_scaling():
    a = ScoreMLP(3, hidden=(8, 8), noise_conditional=True, seed=1, dtype=torch.float64)
    b = ScoreMLP(3, hidden=(8, 8), noise_conditional=True, seed=1, dtype=torch.float64)
    state = torch.random.get_rng_state()
    ScoreMLP(3, seed=2)
    assert torch.equal(state, torch.random.get_rng_state())  # global RNG untouched
    x = torch.randn(4, 3, dtype=torch.float64)
    assert torch.equal(a(x, 0.5), b(x, 0.5))
    # s(x, sigma) = net(x, log sigma) / sigma: scalar and per-sample sigma agree
    assert torch.allclose(a(x, torch.full((4,), 0.5, dtype=torch.float64)), a(x, 0.5))
    plain = ScoreMLP(3, hidden=4)
    assert plain(torch.zeros(2, 3)).shape == (2, 3)


def test_lazy_names_are_exported():
    assert {"ScoreMLP", "LinearScore", "train_score_model", "GaussianMixture"} <= set(
        divlib.__all__
    )
    assert all(hasattr(divlib, name) for name in divlib.__all__)
    with pytest.raises(AttributeError):
        divlib.not_a_name  # noqa: B018


def test_model_and_training_bad_input():
    mlp = ScoreMLP(2, hidden=4, noise_conditional=True)
    plain = ScoreMLP(2, hidden=4)
    with pytest.raises(ValueError, match=r"call it as model\(x, sigma\)"):
        mlp(torch.zeros(3, 2))
    with pytest.raises(ValueError, match="noise_conditional=False and takes no sigma"):
        plain(torch.zeros(3, 2), 0.5)
    with pytest.raises(ValueError, match=r"ScoreMLP expects x of shape \(n, 2\)"):
        plain(torch.zeros(3, 3))
    with pytest.raises(ValueError, match=r"hidden\[1\] must be an integer >= 1"):
        ScoreMLP(2, hidden=(8, 0))
    with pytest.raises(ValueError, match="d must be an integer >= 1"):
        LinearScore(0)
    x = np.zeros((10, 2))
    with pytest.raises(ValueError, match="loss must be one of"):
        train_score_model(plain, x, loss="kl")
    with pytest.raises(ValueError, match="needs sigma"):
        train_score_model(plain, x, loss="denoising")
    with pytest.raises(ValueError, match="lr must be"):
        train_score_model(plain, x, loss="sliced", lr=0.0)
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1"):
        train_score_model(plain, x, loss="sliced", batch_size=0)


def test_score_mlp_works_under_torch_func_transforms():
    # Regression: the input check read the values of a functorch wrapper tensor, which
    # has no storage, and crashed ("Cannot access data pointer"); jacrev/vmap is how the
    # exact Hyvarinen loss is computed efficiently.
    import torch
    from torch.func import jacrev, vmap

    import divlib

    torch.manual_seed(0)
    model = divlib.ScoreMLP(2, hidden=(8,)).double()
    x = torch.randn(5, 2, dtype=torch.float64)
    jac = vmap(jacrev(lambda xi: model(xi[None])[0]))(x)  # (n, d, d)
    ref = torch.stack(
        [torch.autograd.functional.jacobian(lambda z: model(z[None])[0], xi) for xi in x]
    )
    assert jac.shape == (5, 2, 2)
    assert torch.allclose(jac, ref)
    bad = x.clone()
    bad[0, 0] = float("nan")
    with pytest.raises(ValueError, match="NaN"):
        vmap(jacrev(lambda xi: model(xi[None])[0]))(bad)
