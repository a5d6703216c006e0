"""Checks that fail in seconds, before anything starts: GPUs/CUDA, the rendezvous port, MLflow.

A training run that dies after hours because the tracking server was down, or at start-up
because a port was taken, costs far more than these checks.
"""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable

from papernotes.core.errors import PapernotesError


def check_gpus(gpus: int, asked: str = "--gpus") -> None:
    """`--gpus N` (or a profile's `gpus: N`: `asked` says which) needs CUDA and at least N
    devices on this node."""
    if gpus <= 0:
        return
    import torch

    who = f"--gpus {gpus}" if asked == "--gpus" else f"{asked} {gpus}"
    if not torch.cuda.is_available():
        raise PapernotesError(f"{who} asked but CUDA is not available on this machine",
                              field="--gpus", hint="use --device cpu [--nproc-per-node N]")
    have = torch.cuda.device_count()
    if gpus > have:
        raise PapernotesError(f"{who} asked but only {have} GPU(s) present",
                              field="--gpus", hint=f"use --gpus {have}")


def check_device(device: str, *, field: str = "--device") -> None:
    """A run on `cuda` needs CUDA here: checked before anything starts, not 15 s into the engine."""
    if device != "cuda":
        return
    import torch

    if not torch.cuda.is_available():
        raise PapernotesError("device cuda asked but CUDA is not available on this machine",
                              field=field, hint="use --device cpu")


def check_port_free(host: str, port: int, *, field: str = "--master-port") -> None:
    """The port torchrun will listen on must be free (the store binds it at start)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            raise PapernotesError(f"port {port} on {host} is already in use", field=field,
                                  hint="pick another port") from None


def check_tracking(uri: str, timeout: float = 3.0) -> None:
    """A remote server must answer /health now; a local store's folder must be writable."""
    if uri.startswith(("http://", "https://")):
        url = uri.rstrip("/") + "/health"
        try:
            with urllib.request.urlopen(url, timeout=timeout) as resp:
                if resp.status != 200:
                    raise OSError(f"HTTP {resp.status}")
        except (OSError, urllib.error.URLError) as exc:
            reason = getattr(exc, "reason", exc)
            raise PapernotesError(f"MLflow tracking server {uri} is unreachable ({reason})",
                                  field="tracking_uri",
                                  hint="start it, or pass --tracking-uri sqlite:///mlflow.db") from None
        return
    check_store_folder(uri)


def check_store_folder(uri: str) -> None:
    """A local store is made only in a folder that exists: a SQLite file's folder, or the
    parent of a file store's folder (which is made). A typo in `--tracking-uri` is one line,
    never a tree of new folders."""
    if uri.startswith("sqlite:///"):
        folder, make = Path(uri[len("sqlite:///"):]).parent, False
    elif uri.startswith("file://"):
        folder, make = Path(uri[len("file://"):]), True
    elif "://" in uri:
        return  # databricks, postgresql, ...: mlflow reports its own errors at start
    else:
        folder, make = Path(uri), True
    where = folder.parent if make else folder
    if not where.is_dir():
        raise PapernotesError("the MLflow store's folder does not exist", path=where,
                              field="tracking_uri", hint="make it first, or fix the URI")
    if make:
        try:
            folder.mkdir(exist_ok=True)
        except OSError as exc:
            raise PapernotesError(f"cannot create the MLflow store folder ({exc.strerror})",
                                  path=folder, field="tracking_uri") from None


def check_launch(plan, gpus: int, uri: str, *, device: str = "cpu", device_field: str = "--device",
                 gpus_asked: str = "--gpus", dry_run: bool = False,
                 echo: Callable[[str], None] = print) -> None:
    """Everything `papernotes repro` checks before it runs: GPUs, device, ports, the store.
    A dry run only notes what this machine lacks (a login node plans for a compute node).
    `gpus_asked` names who asked for the GPUs (`--gpus`, or the profile's `gpus:`)."""
    for check in (lambda: check_gpus(gpus, gpus_asked),
                  lambda: check_device(device if gpus == 0 else "cpu", field=device_field)):
        try:
            check()
        except PapernotesError as exc:
            if not dry_run:
                raise
            echo(f"note: {exc} (fine for a dry run on a login node)")
    if plan.nnodes == 1 and plan.master_port is not None:
        check_port_free("127.0.0.1", plan.master_port)
    if plan.nnodes > 1 and plan.node_rank == 0 and plan.rdzv_endpoint:
        port = plan.rdzv_endpoint.rsplit(":", 1)[-1]
        if not port.isdigit():
            raise PapernotesError("expected HOST:PORT", field="--rdzv-endpoint")
        check_port_free("0.0.0.0", int(port), field="--rdzv-endpoint")
    check_tracking(uri)
