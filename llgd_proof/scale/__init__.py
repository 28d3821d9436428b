"""Many starts at once: the start sampler (:mod:`.starts`), the Dask/process helper (:mod:`.workers`), resumable
Zarr stores (:mod:`.store`) and atlases and sweeps over them (:mod:`.atlas`). Imports the engines and below.
"""
