"""Hostile input for the score functions, the duality helpers, the models and the toy data.

The table: every public function of part C x every argument x the hostile values
of its kind (NaN, inf, negative, zero, empty, wrong shape, complex, integer
tensor, bool, wrong type, None; for callables: not callable, wrong output shape,
NaN, complex or no array returned). Each case either gives the right value or
raises an error whose message names the argument (``pytest.raises(..., match=name)``).

"Right value" for a legitimate hostile value (an integer tensor, ``2.0`` for a
count, a numpy bool for a flag...) is the function on the same numbers given in
the canonical form (a float64 array, an int, True): the canonical path is checked
against independent oracles in ``test_score.py``, ``test_duality.py`` and
``test_toy.py``. After the table: regression tests for the silent wrong answers
and crashes closed by issue 8 (each fails on the code before it).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import divlib
from conftest import npy

RNG = np.random.default_rng(3)
X = RNG.normal(size=(6, 2))  # samples (n, d)
XI = np.array([[1.0, -2.0], [0.0, 3.0], [2.0, 1.0], [-1.0, 0.0], [1.0, 1.0], [0.0, -1.0]])
NAN = float("nan")
INF = float("inf")


def score(x):
    return -x


def score2(x, s):
    return -x / (1.0 + s[:, None] ** 2)


def critic(z):
    return z[:, 0] - 0.5 * z[:, 1]


# -- hostile values of each kind: (label, value, expected) --------------------------------
# expected: an exception class (the message must name the argument), or ("same", canonical)
# (the call must equal the call with the canonical value).


def array_cases(good, *, neg_ok=True, int_ok=True, one_d=None):
    """Hostile values of an array argument whose good value is ``good`` (float64)."""
    g = np.asarray(good, dtype=np.float64)
    nan, inf = g.copy(), g.copy()
    nan.reshape(-1)[0], inf.reshape(-1)[0] = NAN, INF
    rounded = np.round(g)
    cases = [
        ("nan", nan, ValueError),
        ("inf", inf, ValueError),
        ("empty", g[:0], ValueError),
        ("wrong_shape", g[..., None, None] if one_d is None else g[..., None, None], ValueError),
        ("complex", g + 0j, TypeError),
        ("complex_imag", g + 1j, TypeError),
        ("bool", g > 0, TypeError),
        ("bool_tensor", torch.tensor(g > 0), TypeError),
        ("bfloat16", torch.tensor(g, dtype=torch.bfloat16), TypeError),
        ("string", "abc", TypeError),
        ("object", np.array([object()] * 2), TypeError),
        ("none", None, TypeError),
    ]
    if neg_ok:
        cases.append(("negative", -g, ("same", -g)))
    if int_ok:
        cases.append(("int_tensor", torch.tensor(rounded.astype(np.int64)), ("same", rounded)))
        cases.append(("int_array", rounded.astype(np.int64), ("same", rounded)))
    return cases


def count_cases(good, low=1):
    """An integer argument >= low."""
    cases = [
        ("nan", NAN, ValueError),
        ("inf", INF, ValueError),
        ("negative", -1, ValueError),
        ("non_integer", good + 0.5, ValueError),
        ("complex", 1j, TypeError),
        ("bool", True, TypeError),
        ("string", "3", TypeError),
        ("none", None, TypeError),
        ("array", np.array([good, good]), TypeError),
        ("whole_float", float(good), ("same", good)),
        ("numpy_int", np.int64(good), ("same", good)),
        ("tensor", torch.tensor(good), ("same", good)),
    ]
    if low >= 1:
        cases.append(("zero", 0, ValueError))
    return cases


def real_cases(good, *, zero_ok):
    """A finite real argument > 0 (or >= 0 with ``zero_ok``)."""
    return [
        ("nan", NAN, ValueError),
        ("inf", INF, ValueError),
        ("negative", -good, ValueError),
        ("zero", 0.0, ("same", 0.0) if zero_ok else ValueError),
        ("complex", good * 1j, TypeError),
        ("bool", True, TypeError),
        ("string", "0.1", TypeError),
        ("none", None, TypeError),
        ("float32", np.float32(good), ("same", float(np.float32(good)))),
        ("int", 1, ("same", 1.0)),
    ]


def seed_cases():
    """Seeds: the one randomness rule (None, an exact integer >= 0, a Generator)."""
    return [
        ("nan", NAN, ValueError),
        ("inf", INF, ValueError),
        ("negative", -1, ValueError),
        ("non_integer", 1.5, ValueError),
        ("complex", 1j, TypeError),
        ("bool", True, TypeError),
        ("string", "7", TypeError),
        ("whole_float", 7.0, ("same", 7)),
        ("numpy_int", np.int64(7), ("same", 7)),
    ]


FLAG_CASES = [
    ("int", 1, TypeError),
    ("string", "yes", TypeError),
    ("none", None, TypeError),
    ("numpy_bool", np.bool_(False), ("same", False)),
]


def choice_cases(good):
    return [("unknown", "bogus", ValueError), ("int", 3, ValueError), ("none", None, ValueError)]


def callable_cases(kind):
    """A user's callable: score (n, d) -> (n, d), or critic (k, d) -> (k,)."""
    if kind == "score":
        wrong, nan, cplx = (lambda x: x[:, :1]), (lambda x: x * NAN), (lambda x: x * 1j)
    elif kind == "score2":
        wrong, nan, cplx = (lambda x, s: x[:, :1]), (lambda x, s: x * NAN), (lambda x, s: x * 1j)
    else:
        wrong, nan, cplx = (lambda z: z), (lambda z: z[:, 0] * NAN), (lambda z: z[:, 0] * 1j)
    return [
        ("not_callable", 3, TypeError),
        ("none", None, TypeError),
        ("wrong_output_shape", wrong, ValueError),
        ("nan_output", nan, ValueError),
        ("complex_output", cplx, TypeError),
        ("returns_none", (lambda *a: None), TypeError),
        ("returns_list", (lambda x, *a: [[0.0]]), TypeError),
    ]


def torch_cloud_cases(good):
    """Samples of a torch-only function: numpy float64 is legitimate (converted), an
    integer tensor or array becomes torch's default float (the one dtype policy of
    _backend: integers never set the dtype), and the random draws follow the dtype."""
    rounded = np.round(good)
    default = torch.tensor(rounded, dtype=torch.get_default_dtype())
    cases = [c for c in array_cases(good) if c[0] not in ("int_tensor", "int_array")]
    return cases + [
        ("float64_numpy", np.asarray(good), ("same", torch.tensor(good))),
        ("int_tensor", torch.tensor(rounded.astype(np.int64)), ("same", default)),
        ("int_array", rounded.astype(np.int64), ("same", default)),
    ]


# -- the functions ---------------------------------------------------------------------------


def fisher(score_p=score, score_q=lambda x: -(x - 1.0), x=X):
    return divlib.fisher_divergence(score_p, score_q, x)


def hyv(score_fn=score, x=X):
    return divlib.hyvarinen_loss(score_fn, x)


def ssm(
    score_fn=score, x=X, n_projections=2, projection="gaussian", variance_reduction=True, seed=0
):
    return divlib.sliced_score_matching_loss(
        score_fn,
        x,
        n_projections=n_projections,
        projection=projection,
        variance_reduction=variance_reduction,
        seed=seed,
    )


def dsm(score_fn=score, x=X, sigma=0.5, noise_conditional=False, seed=0):
    return divlib.denoising_score_matching_loss(
        score_fn, x, sigma, noise_conditional=noise_conditional, seed=seed
    )


def dsm_levels(score_fn=score2, x=X, sigma=(1.0, 0.5), seed=0):
    return divlib.denoising_score_matching_loss(
        score_fn,
        x,
        list(sigma) if isinstance(sigma, tuple) else sigma,
        noise_conditional=True,
        seed=seed,
    )


def langevin(
    score_fn=score, x0=X, step_size=0.1, n_steps=3, seed=0, progress=False, return_path=False
):
    return divlib.langevin_sample(
        score_fn,
        x0,
        step_size=step_size,
        n_steps=n_steps,
        seed=seed,
        progress=progress,
        return_path=return_path,
    )


def annealed(
    score_fn=score2,
    x0=X,
    sigmas=(1.0, 0.5),
    step_size=0.05,
    n_steps_each=2,
    seed=0,
    noise_conditional=True,
    denoise=True,
    progress=False,
):
    return divlib.annealed_langevin_sample(
        score_fn,
        x0,
        list(sigmas) if isinstance(sigmas, tuple) else sigmas,
        step_size=step_size,
        n_steps_each=n_steps_each,
        seed=seed,
        noise_conditional=noise_conditional,
        denoise=denoise,
        progress=progress,
    )


def kr(critic=critic, x=X, y=X[:4] + 1.0):
    return divlib.kr_dual_objective(critic, x, y)


def gp(critic=lambda z: (z**2).sum(1), real=X, fake=X[::-1] + 1.0, weight=10.0, seed=0):
    return divlib.gradient_penalty(critic, real, fake, weight=weight, seed=seed)


def dual(
    x=X,
    y=X + 1.0,
    hidden=4,
    n_steps=2,
    lr=2e-3,
    gp_weight=10.0,
    seed=0,
    rescale=True,
    progress=False,
    return_critic=False,
):
    out = divlib.dual_wasserstein_1(
        x,
        y,
        hidden=hidden,
        n_steps=n_steps,
        lr=lr,
        gp_weight=gp_weight,
        seed=seed,
        rescale=rescale,
        progress=progress,
        return_critic=return_critic,
    )
    return out[0] if return_critic else out


GM_X = np.array([[0.3, -0.2], [1.0, 2.0], [-1.5, 0.5]])


def gm(means=((0.0, 0.0), (2.0, 1.0)), covs=0.5, weights=(0.3, 0.7), x=GM_X, sigma=0.4):
    m = divlib.GaussianMixture(
        list(means) if isinstance(means, tuple) else means,
        covs,
        list(weights) if isinstance(weights, tuple) else weights,
    )
    return np.concatenate([npy(m.score(x, sigma)).ravel(), npy(m.log_prob(x, sigma))])


def gm_sample(n=5, seed=0):
    return divlib.GaussianMixture([[0.0, 0.0], [2.0, 1.0]]).sample(n, seed=seed)


def mixture(n=5, n_components=3, radius=2.0, std=0.5, seed=0):
    return divlib.make_gaussian_mixture(
        n, n_components=n_components, radius=radius, std=std, seed=seed
    )


def rings(n=5, radii=(1.0, 2.0), noise=0.1, seed=0):
    return divlib.make_rings(n, radii=radii, noise=noise, seed=seed)


def moons(n=5, noise=0.1, seed=0):
    return divlib.make_two_moons(n, noise=noise, seed=seed)


XT = torch.tensor(X)


def model_x_cases():
    """The input of a model: a tensor; an integer tensor is promoted to the model's dtype."""
    rounded = np.round(X)
    cases = [
        (
            lbl,
            torch.tensor(v) if isinstance(v, np.ndarray) and v.dtype.kind == "f" else v,
            ("same", torch.tensor(e[1])) if isinstance(e, tuple) else e,
        )
        for lbl, v, e in array_cases(X)
        if lbl not in ("int_tensor", "int_array", "bfloat16")
    ]
    return cases + [
        ("int_tensor", torch.tensor(rounded.astype(np.int64)), ("same", torch.tensor(rounded))),
        ("numpy", X, TypeError),
        ("float32", XT.float(), TypeError),
        ("wrong_d", torch.zeros(3, 3, dtype=torch.float64), ValueError),
    ]


def mlp(d=2, hidden=4, noise_conditional=True, seed=0, dtype=torch.float64, x=XT, sigma=0.5):
    model = divlib.ScoreMLP(
        d, hidden=hidden, noise_conditional=noise_conditional, seed=seed, dtype=dtype
    )
    with torch.no_grad():
        return model(x, sigma) if noise_conditional else model(x)


def linear(d=2, dtype=torch.float64, x=XT):
    model = divlib.LinearScore(d, dtype=dtype)
    with torch.no_grad():
        return model(x)


def train(
    model="linear",
    x=X,
    loss="sliced",
    sigma=0.5,
    n_steps=2,
    lr=1e-2,
    batch_size=4,
    n_projections=1,
    lr_schedule="cosine",
    seed=0,
    progress=False,
):
    if model == "linear":
        model = divlib.LinearScore(2, dtype=torch.float64)
    return divlib.train_score_model(
        model,
        x,
        loss=loss,
        sigma=sigma,
        n_steps=n_steps,
        lr=lr,
        batch_size=batch_size,
        n_projections=n_projections,
        lr_schedule=lr_schedule,
        seed=seed,
        progress=progress,
    )


#: function name -> (function, {argument: hostile cases})
TABLE = {
    "fisher_divergence": (
        fisher,
        {
            "score_p": callable_cases("score"),
            "score_q": callable_cases("score"),
            "x": array_cases(X),
        },
    ),
    "hyvarinen_loss": (hyv, {"score_fn": callable_cases("score"), "x": torch_cloud_cases(X)}),
    "sliced_score_matching_loss": (
        ssm,
        {
            "score_fn": callable_cases("score"),
            "x": torch_cloud_cases(X),
            "n_projections": count_cases(2),
            "projection": choice_cases("gaussian"),
            "variance_reduction": FLAG_CASES,
            "seed": seed_cases(),
        },
    ),
    "denoising_score_matching_loss": (
        dsm,
        {
            "score_fn": callable_cases("score"),
            "x": torch_cloud_cases(X),
            "sigma": real_cases(0.5, zero_ok=False)
            + [
                ("int_tensor", torch.tensor(1), ("same", 1.0)),
                ("float_tensor", torch.tensor(0.5), ("same", 0.5)),
            ],
            "noise_conditional": [("int", 1, TypeError), ("none", None, TypeError)],
            "seed": seed_cases(),
        },
    ),
    "denoising_score_matching_loss[levels]": (
        dsm_levels,
        {
            "score_fn": callable_cases("score2"),
            "sigma": [
                (lbl, v, e)
                for lbl, v, e in array_cases(np.array([1.0, 2.0]))
                if lbl not in ("negative",)
            ]
            + [("zero_entry", [1.0, 0.0], ValueError), ("negative_entry", [1.0, -0.5], ValueError)],
        },
    ),
    "langevin_sample": (
        langevin,
        {
            "score_fn": callable_cases("score"),
            "x0": array_cases(X),
            "step_size": real_cases(0.1, zero_ok=False),
            "n_steps": count_cases(3, low=0),
            "seed": seed_cases() + [("generator", np.random.default_rng(0), ("same", 0))],
            "progress": FLAG_CASES,
            "return_path": FLAG_CASES,
        },
    ),
    "annealed_langevin_sample": (
        annealed,
        {
            "score_fn": callable_cases("score2"),
            "x0": array_cases(X),
            "sigmas": [
                (lbl, v, e)
                for lbl, v, e in array_cases(np.array([2.0, 1.0]))
                if lbl not in ("negative",)
            ]
            + [("zero_entry", [1.0, 0.0], ValueError), ("increasing", [0.5, 1.0], ValueError)],
            "step_size": real_cases(0.05, zero_ok=False),
            "n_steps_each": count_cases(2),
            "seed": seed_cases(),
            "noise_conditional": FLAG_CASES[:3],
            "denoise": FLAG_CASES,
            "progress": FLAG_CASES,
        },
    ),
    "kr_dual_objective": (
        kr,
        {"critic": callable_cases("critic"), "x": array_cases(X), "y": array_cases(X[:4] + 1.0)},
    ),
    "gradient_penalty": (
        gp,
        {
            "critic": callable_cases("critic"),
            "real": array_cases(X),
            "fake": array_cases(X[::-1] + 1.0),
            "weight": real_cases(10.0, zero_ok=True),
            "seed": seed_cases(),
        },
    ),
    "dual_wasserstein_1": (
        dual,
        {
            "x": array_cases(X),
            "y": array_cases(X + 1.0),
            "hidden": count_cases(4),
            "n_steps": count_cases(2),
            "lr": real_cases(2e-3, zero_ok=False),
            "gp_weight": real_cases(10.0, zero_ok=True),
            "seed": seed_cases(),
            "rescale": FLAG_CASES,
            "return_critic": FLAG_CASES[:3],
            "progress": FLAG_CASES[:2],
        },
    ),
    "GaussianMixture": (
        gm,
        {
            "means": array_cases(np.array([[0.0, 0.0], [2.0, 1.0]])),
            "covs": real_cases(0.5, zero_ok=False)[:8]
            + [
                ("int_tensor", torch.tensor(1), ("same", 1.0)),
                ("empty", [], ValueError),
                ("wrong_shape", np.eye(3)[None], ValueError),
                ("not_spd", np.stack([np.eye(2), -np.eye(2)]), ValueError),
            ],
            "weights": [
                (lbl, v, e)
                for lbl, v, e in array_cases(np.array([0.3, 0.7]))
                if lbl not in ("negative", "int_tensor", "int_array", "none")
            ]
            + [
                ("negative", [1.3, -0.3], ValueError),
                ("not_summing_to_1", [0.5, 0.6], ValueError),
                ("int_tensor", torch.tensor([0, 1]), ("same", [0.0, 1.0])),
                ("none", None, ("same", [0.5, 0.5])),
            ],
            "x": array_cases(GM_X),
            "sigma": real_cases(0.4, zero_ok=True)[:4]
            + [
                ("complex", 0.4j, TypeError),
                ("bool", True, TypeError),
                ("string", "0.4", TypeError),
                ("none", None, ("same", None)),
                ("wrong_shape", np.ones(4), ValueError),
                ("per_sample", np.full(3, 0.4), ("same", 0.4)),
            ],
        },
    ),
    "GaussianMixture.sample": (gm_sample, {"n": count_cases(5), "seed": seed_cases()}),
    "make_gaussian_mixture": (
        mixture,
        {
            "n": count_cases(5),
            "n_components": count_cases(3),
            "radius": real_cases(2.0, zero_ok=True),
            "std": real_cases(0.5, zero_ok=False),
            "seed": seed_cases(),
        },
    ),
    "make_rings": (
        rings,
        {
            "n": count_cases(5),
            "radii": [
                (lbl, v, e)
                for lbl, v, e in array_cases(np.array([1.0, 2.0]))
                if lbl not in ("negative",)
            ]
            + [("negative", [1.0, -2.0], ValueError)],
            "noise": real_cases(0.1, zero_ok=True),
            "seed": seed_cases(),
        },
    ),
    "make_two_moons": (
        moons,
        {"n": count_cases(5), "noise": real_cases(0.1, zero_ok=True), "seed": seed_cases()},
    ),
    "ScoreMLP": (
        mlp,
        {
            "d": [
                (lbl, v, e)
                for lbl, v, e in count_cases(2)
                if lbl not in ("whole_float", "numpy_int", "tensor")
            ],
            "hidden": [c for c in count_cases(4) if c[0] != "array"]
            + [
                ("widths", np.array([4, 4]), ("same", 4)),
                ("zero_width", (8, 0), ValueError),
                ("empty", (), ValueError),
            ],
            "noise_conditional": FLAG_CASES[:3],
            "seed": seed_cases(),
            "dtype": [
                ("int", torch.int64, TypeError),
                ("string", "float", TypeError),
                ("bfloat16", torch.bfloat16, TypeError),
            ],
            "x": model_x_cases(),
            "sigma": real_cases(0.5, zero_ok=False)[:4]
            + [
                ("complex", 0.5j, TypeError),
                ("bool", True, TypeError),
                ("wrong_shape", np.ones(4), ValueError),
                ("none", None, ValueError),
            ],
        },
    ),
    "LinearScore": (
        linear,
        {
            "d": [
                (lbl, v, e)
                for lbl, v, e in count_cases(2)
                if lbl not in ("whole_float", "numpy_int", "tensor")
            ],
            "dtype": [("int", torch.int64, TypeError), ("bfloat16", torch.bfloat16, TypeError)],
            "x": model_x_cases(),
        },
    ),
    "train_score_model": (
        train,
        {
            "model": [("function", score, TypeError), ("none", None, TypeError)],
            "x": array_cases(X),
            "loss": choice_cases("sliced"),
            "lr_schedule": choice_cases("cosine"),
            "sigma": [
                ("nan", NAN, ValueError),
                ("complex", 1j, TypeError),
                ("negative", -0.5, ValueError),
            ],
            "n_steps": count_cases(2),
            "lr": real_cases(1e-2, zero_ok=False),
            "batch_size": [c for c in count_cases(4) if c[0] != "none"]
            + [("full_batch", None, ("same", None))],
            "n_projections": count_cases(1),
            "seed": seed_cases(),
            "progress": FLAG_CASES[:3],
        },
    ),
}

# a denoising training needs sigma: its hostile sigmas go through loss="denoising"
_DENOISING_ARGS = {"sigma"}


def _cases():
    for fname, (_, args) in TABLE.items():
        for arg, cases in args.items():
            for label, value, expected in cases:
                yield pytest.param(fname, arg, value, expected, id=f"{fname}-{arg}-{label}")


def _call(fname, arg, value):
    f, _ = TABLE[fname]
    kw = {arg: value}
    if fname == "train_score_model" and arg in _DENOISING_ARGS:
        kw["loss"] = "denoising"
    return f(**kw)


@pytest.mark.parametrize("fname,arg,value,expected", list(_cases()))
def test_hostile(fname, arg, value, expected):
    if isinstance(expected, type) and issubclass(expected, Exception):
        with pytest.raises(expected, match=arg.split("[")[0]):
            _call(fname, arg, value)
        return
    _, canonical = expected
    got = _call(fname, arg, value)
    ref = _call(fname, arg, canonical)
    g, r = npy(got), npy(ref)
    assert g.shape == r.shape
    assert np.all(np.isfinite(g))
    assert np.allclose(g, r, rtol=1e-5, atol=1e-6), (g, r)


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
