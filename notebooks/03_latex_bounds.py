# %% [markdown]
# # LaTeX bounds for a new loss
#
# Hand in any loss ℓ(s): sympy finds its minimiser, derives the regularity report, and substitutes the loss's own
# ℓ''(μ) into each theorem's bounds — ready to paste into a paper.

# %%
from IPython.display import Math, display

from llgd_proof import api
from llgd_proof.report.latex import theorem_latex

loss = api.make_loss("2*sqrt(1 + (s - 3)^2/4) - 2")  # a scaled pseudo-Huber centred at 3
report = api.regularity(loss)
for value in report.latex().values():
    display(Math(value))

# %%
theorem = api.get_theorem("balancing")
for value in theorem.bounds(loss, theorem.parameters).values():
    display(Math(value))

# %%
print(theorem_latex(api.get_theorem("convergence"), loss))

# %% [markdown]
# Every `derived` statement carries its sympy certificate:

# %%
for proof in api.get_theorem("rate").proofs():
    print(proof.name, "proved" if proof.proved else "NOT proved", f"({proof.method})")
    display(Math(proof.statement))
