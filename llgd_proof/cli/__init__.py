"""The ``llgd`` command: it parses, calls :mod:`llgd_proof.api` and formats; it computes nothing itself."""
