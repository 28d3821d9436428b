"""Many starts at once: the Dask/process helper (:mod:`.workers`, the one fork policy), resumable Zarr stores
(:mod:`.store`) and atlases and sweeps over them (:mod:`.atlas`), from starts drawn by
:mod:`llgd_proof.analysis.starts`. Imports the engines and below.
"""
