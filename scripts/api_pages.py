"""The "divlib reference" pages: one page per family, one entry per public name.

The pages (``book/api/<family>.md``) are generated from ``divlib.__all__`` and
committed, so that ``_toc.yml`` lists real files and a review shows what changed. Each
entry is an ``autofunction``/``autoclass`` of the numpydoc docstring (math rendered)
followed by a ``divlib-used-in`` directive, which ``book/_ext/divlib_api.py`` fills at
build time with links to the chapters that call the function. Usage::

    python scripts/api_pages.py write    # regenerate book/api/*.md
    python scripts/api_pages.py check    # fail if a public name has no entry (make check)
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
API = ROOT / "book" / "api"

#: Family page -> (title, one-line description, private modules it documents).
FAMILIES = {
    "information": (
        "Information measures",
        "Entropy, cross-entropy, KL, Jensen-Shannon, Rényi and the f-divergence family "
        "for discrete distributions.",
        ["_information", "_f_divergences"],
    ),
    "gaussian": (
        "Gaussian closed forms",
        "KL, Wasserstein-2, the Monge map and the Fisher divergence between Gaussians.",
        ["_gaussian"],
    ),
    "estimators": (
        "Estimators from samples",
        "KL divergence estimated from samples or from log-density ratios.",
        ["_estimators"],
    ),
    "transport": (
        "Optimal transport",
        "Wasserstein distances, exact and entropic optimal transport, Monge maps and "
        "Kantorovich-Rubinstein duality.",
        ["_transport", "_sinkhorn", "_duality"],
    ),
    "score": (
        "Scores and score matching",
        "Fisher divergence, score-matching losses, Langevin samplers and small score models.",
        ["_score", "_models"],
    ),
    "generative": (
        "Generative models",
        "GAN and VAE losses and diffusion (variance-preserving SDE) schedules and samplers.",
        ["_generative", "_diffusion"],
    ),
    "inference": (
        "Inference, policies and flows",
        "Variational inference, trust-region policy optimisation and Stein variational "
        "gradient descent.",
        ["_vi", "_policy", "_flows"],
    ),
    "toy": (
        "Toy distributions, the backend and solver warnings",
        "Mixtures and point clouds used across the chapters, the numpy/torch backend, and "
        "the warning of every iterative solver that stops before its tolerance.",
        ["_toy", "_backend", "_runtime"],
    ),
    "teaching": (
        "Self-check quizzes",
        "The quiz that ends each chapter: multiple-choice and numeric questions with "
        "instant feedback, in Jupyter, on Colab and on this site.",
        ["_teaching"],
    ),
}


def public_names() -> dict[str, str]:
    """Public name -> private module it is defined in (``divlib.__all__``)."""
    sys.path.insert(0, str(ROOT))
    import divlib

    out = {}
    for name in divlib.__all__:
        obj = getattr(divlib, name)
        out[name] = getattr(obj, "__module__", "divlib").rsplit(".", 1)[-1]
    return out


def render(family: str, names: dict[str, str]) -> str:
    import divlib

    title, blurb, modules = FAMILIES[family]
    lines = [
        f"(api-{family})=",
        f"# {title}",
        "",
        blurb,
        "",
        "```{eval-rst}",
        ".. currentmodule:: divlib",
        "```",
        "",
    ]
    for name, module in names.items():
        if module not in modules:
            continue
        kind = "autoclass" if inspect.isclass(getattr(divlib, name)) else "autofunction"
        obj = getattr(divlib, name)
        warning = inspect.isclass(obj) and issubclass(obj, BaseException)  # no members
        extra = "\n   :members:" if kind == "autoclass" and not warning else ""
        lines += [
            "```{eval-rst}",
            f".. {kind}:: {name}{extra}",
            "```",
            "",
            f"```{{divlib-used-in}} {name}",
            "```",
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"


def expected() -> dict[Path, str]:
    names = public_names()
    known = {m for _, _, mods in FAMILIES.values() for m in mods}
    orphans = sorted(n for n, m in names.items() if m not in known)
    if orphans:
        raise SystemExit(
            f"public names {orphans} are defined in modules that no reference page documents: "
            "add their module to FAMILIES in scripts/api_pages.py"
        )
    return {API / f"{fam}.md": render(fam, names) for fam in FAMILIES}


def main(argv=None) -> int:
    cmd = (sys.argv[1:] if argv is None else argv or ["check"])[0]
    pages = expected()
    if cmd == "write":
        API.mkdir(exist_ok=True)
        for path, text in pages.items():
            path.write_text(text)
        print(f"wrote {len(pages)} reference pages in {API.relative_to(ROOT)}")
        return 0
    stale = [p for p, t in pages.items() if not p.exists() or p.read_text() != t]
    if stale:
        print(
            "divlib reference pages out of date: "
            + ", ".join(str(p.relative_to(ROOT)) for p in stale)
            + "; run `python scripts/api_pages.py write` (make api)"
        )
        return 1
    print(f"divlib reference OK: {len(public_names())} public names on {len(pages)} pages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
