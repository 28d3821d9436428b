"""llgd_proof — a symbolic-numeric theorem checker for large-learning-rate gradient descent."""

__version__ = "0.1.0"
