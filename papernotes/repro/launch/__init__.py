"""Launching the engine: in-process or torchrun/srun, the checks before it starts, the cores and
GPUs each process gets, and the layout of a run's folder."""
