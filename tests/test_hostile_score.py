"""Regression tests of the samplers, score losses, duality helpers and toy models.

Behaviour, not argument routing: exploding or diverging chains are reported, float32
stays float32, mixed dtypes promote, a constant critic pays the full penalty... Each
fails on the code before issue 8. The hostile-input table of these functions (each
argument routed through a validation rule) is in test_hostile.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from test_hostile import critic, score, score2  # the table's callables, defined once

import divlib

RNG = np.random.default_rng(3)
X = RNG.normal(size=(6, 2))  # samples (n, d)
NAN = float("nan")


# -- regression tests: silent wrong answers and crashes closed by issue 8 ---------------------


@pytest.mark.parametrize("to", [np.asarray, torch.tensor])
def test_exploding_langevin_chain_raises_naming_step_size(to):
    """Was: all-NaN samples returned silently (torch), a RuntimeWarning crash (numpy)."""
    with pytest.raises(ValueError, match=r"diverged.*step_size = 100 is too large"):
        divlib.langevin_sample(score, to(X), step_size=100.0, n_steps=500, seed=0)
    with pytest.raises(ValueError, match=r"diverged.*step_size = 50 is too large"):
        divlib.annealed_langevin_sample(
            score2, to(X), [1.0, 0.1], step_size=50.0, n_steps_each=300, seed=0
        )


def test_stable_step_is_not_reported():
    """Just below the stability bound 2 v of a N(0, v) target the chain stays finite."""
    x = divlib.langevin_sample(lambda x: -x / 0.5, X, step_size=0.99, n_steps=2000, seed=0)
    assert np.all(np.isfinite(x))


def test_langevin_score_nan_raises():
    """Was: NaN samples returned silently when the score returns NaN."""
    with pytest.raises(ValueError, match=r"score_fn\(x\) has 12 NaN"):
        divlib.langevin_sample(lambda x: x * NAN, X, step_size=0.1, n_steps=2, seed=0)


def test_score_growing_to_inf_inside_the_chain_is_divergence():
    """A score that overflows at large x (|x|^3) reports divergence, not a warning."""
    with pytest.raises(ValueError, match="diverged"):
        divlib.langevin_sample(lambda x: -(x**3), 3 * X, step_size=1.0, n_steps=200, seed=0)


def test_float32_chain_stays_float32():
    """Was: a float32 ndarray came back float64."""
    out = divlib.langevin_sample(score, X.astype(np.float32), step_size=0.1, n_steps=3, seed=0)
    assert out.dtype == np.float32
    out = divlib.annealed_langevin_sample(
        score2, X.astype(np.float32), [1.0, 0.5], step_size=0.1, n_steps_each=2, seed=0
    )
    assert out.dtype == np.float32


def test_float32_numpy_to_torch_losses_stays_float32():
    """Was: float32 numpy samples became a float64 tensor."""
    assert divlib.hyvarinen_loss(score, X.astype(np.float32)).dtype == torch.float32


def test_mixture_score_of_float32_samples_is_float32():
    gm_ = divlib.GaussianMixture([[0.0], [1.0]])
    out = gm_.score(np.zeros((2, 1), dtype=np.float32))
    assert out.dtype == np.float32
    assert np.allclose(out, gm_.score(np.zeros((2, 1))), rtol=1e-6)


def test_mixture_with_a_zero_weight_gives_the_one_component():
    """Was: log(0) warned (an error under the test configuration); the value is the
    single remaining Gaussian N(1, 1): score -(x - 1), log-density by the closed form."""
    gm_ = divlib.GaussianMixture([[0.0], [1.0]], weights=[0.0, 1.0])
    x = np.array([[0.5], [2.0]])
    assert np.allclose(gm_.score(x), -(x - 1.0))
    assert np.allclose(gm_.log_prob(x), -0.5 * (x[:, 0] - 1.0) ** 2 - 0.5 * math.log(2 * math.pi))


def test_critic_with_a_wrong_output_shape_is_refused():
    """Was: a critic returning (k, d) was averaged over all entries, a silent wrong J."""
    with pytest.raises(ValueError, match=r"critic returned shape \(6, 2\)"):
        divlib.kr_dual_objective(lambda z: z, X, X + 1.0)


def test_complex_samples_are_refused_not_truncated():
    """Was: kr_dual_objective and dual_wasserstein_1 dropped the imaginary part."""
    with pytest.raises(TypeError, match="x has dtype complex"):
        divlib.kr_dual_objective(critic, X + 1j, X)
    with pytest.raises(TypeError, match="x has dtype complex"):
        divlib.dual_wasserstein_1(X + 1j, X, n_steps=2, progress=False)


def test_bool_samples_are_refused():
    """Was: a mask became 0/1 samples silently (fisher_divergence, langevin, means)."""
    for f in (
        lambda: divlib.fisher_divergence(score, score, X > 0),
        lambda: divlib.langevin_sample(score, X > 0, step_size=0.1, n_steps=1),
        lambda: divlib.GaussianMixture(X > 0),
    ):
        with pytest.raises(TypeError, match="has dtype bool"):
            f()


def test_mixed_float32_and_float64_pairs_are_promoted():
    """Was: y was cast down to x's float32."""
    J = divlib.kr_dual_objective(
        critic, torch.tensor(X, dtype=torch.float32), torch.tensor(X + 1e-9, dtype=torch.float64)
    )
    assert J.dtype == torch.float64


def test_integer_tensor_next_to_float_list_is_promoted():
    """A float list next to an integer tensor is never truncated: both become torch's
    default float (lists and integers never set the dtype), and a float64 array sets
    float64."""
    J = divlib.kr_dual_objective(lambda z: z[:, 0], torch.tensor([[0], [1]]), [[0.5], [1.5]])
    assert J.dtype == torch.get_default_dtype()
    assert float(J) == pytest.approx(-0.5)
    J64 = divlib.kr_dual_objective(
        lambda z: z[:, 0], torch.tensor([[0], [1]]), np.array([[0.5], [1.5]])
    )
    assert J64.dtype == torch.float64
    assert float(J64) == -0.5


def test_seed_and_generator_together_are_refused_in_gradient_penalty():
    """Was: seed silently ignored when a generator was given."""
    with pytest.raises(ValueError, match="either generator or seed"):
        divlib.gradient_penalty(critic, X, X + 1, seed=1, generator=torch.Generator())


def test_dual_seed_must_be_whole():
    """Was: seed=1.5 silently used as 1."""
    with pytest.raises(ValueError, match="seed must be a whole number"):
        divlib.dual_wasserstein_1(X, X + 1, seed=1.5, n_steps=2, progress=False)


def test_constant_critic_pays_the_full_penalty():
    """Was: a crash inside torch.autograd; the gradient of a constant is 0, so
    the penalty is weight * (0 - 1)^2 = weight."""
    gp_ = divlib.gradient_penalty(lambda z: torch.zeros(z.shape[0]), X, X + 1, weight=3.0, seed=0)
    assert float(gp_) == pytest.approx(3.0)


def test_noise_conditional_model_refuses_bad_sigma():
    """Was: a negative or NaN sigma gave NaN scores silently."""
    model = divlib.ScoreMLP(2, noise_conditional=True, seed=0)
    for bad in (-1.0, NAN, 0.0):
        with pytest.raises(ValueError, match="sigma must be finite and > 0"):
            model(torch.zeros(3, 2), bad)


def test_loss_with_nan_score_raises():
    """Was: a NaN loss returned silently by the three score matching losses."""
    xt = torch.tensor(X)
    for f in (
        lambda: divlib.hyvarinen_loss(lambda x: x * NAN, xt),
        lambda: divlib.sliced_score_matching_loss(lambda x: x * NAN, xt, seed=0),
        lambda: divlib.denoising_score_matching_loss(lambda x: x * NAN, xt, 0.5, seed=0),
    ):
        with pytest.raises(ValueError, match=r"score_fn\(x\) has"):
            f()


def test_training_that_diverges_names_lr():
    """A learning rate far beyond stability stops training with a message naming lr."""
    model = divlib.ScoreMLP(2, hidden=8, seed=0, dtype=torch.float64)
    with pytest.raises(ValueError, match="lower lr"):
        divlib.train_score_model(model, X * 1e150, loss="sliced", n_steps=50, lr=1e300)


def test_denoising_loss_refuses_a_numpy_score():
    """Was: numpy + tensor arithmetic inside the loss (torch's error, or an ndarray)."""
    with pytest.raises(TypeError, match="score_fn returned ndarray"):
        divlib.denoising_score_matching_loss(lambda y: -y.numpy(), torch.tensor(X), 0.5, seed=0)


@pytest.mark.parametrize("to", [np.asarray, torch.tensor])
def test_blow_up_is_caught_before_overflow(to):
    """Was: 20 steps at 50 times the stable step returned samples of size 1e34, silently."""
    with pytest.raises(ValueError, match=r"doubled at each of the last 10 steps.*step_size = 100"):
        divlib.langevin_sample(score, to(X), step_size=100.0, n_steps=20, seed=0)


@pytest.mark.parametrize(
    "x0", [np.zeros((500, 1)), np.full((500, 1), 1e-12), np.full((500, 1), 1e6)]
)
def test_converging_chains_are_not_flagged(x0):
    """From a point, from almost a point, from far away: a stable step converges to N(3, 1)."""
    x = divlib.langevin_sample(lambda x: -(x - 3.0), x0, step_size=0.5, n_steps=300, seed=0)
    assert abs(float(np.mean(x)) - 3.0) < 0.2
