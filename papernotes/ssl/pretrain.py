"""Entry point: `python -m papernotes.ssl.pretrain --config FILE [--events FILE] [--resume]`,
and the Python API `run(cfg, sink=None, resume=False) -> dict` (final metrics, percent).

Under torchrun (RANK/LOCAL_RANK/WORLD_SIZE) every rank trains; rank 0 alone emits events and
writes files. SIGINT/SIGTERM stop at the next step boundary: a checkpoint is saved, `end` is
emitted with status "interrupted" and the command exits 130. Bad config or data: one line on
stderr, exit 2.
"""

from __future__ import annotations

import argparse
import json
import platform
import signal
import sys
import threading
import time
from pathlib import Path

if __name__ == "__main__":  # stopped while torch loads (Ctrl-C at an arm's start): 130, stopped
    _default_sigint = signal.signal(signal.SIGINT, lambda *_: sys.exit(130))

import torch
from torch import nn

from papernotes.core.atomic import atomic_write_text  # stdlib-only shared helper
from papernotes.core.errors import PapernotesError  # stdlib-only shared module
from papernotes.ssl import distributed, user_code
from papernotes.ssl.checkpoint import load_checkpoint, rng_state, save_checkpoint, set_rng_state
from papernotes.ssl.config import ConfigError, PretrainConfig, check_config, config_to_dict, load_config_file
from papernotes.ssl.data.datasets import load_dataset
from papernotes.ssl.data.loader import IndexSampler
from papernotes.ssl.evaluation.probe import OnlineProbe, probe_optimizer
from papernotes.ssl.evaluation.suite import final_evaluation, input_fn, monitor
from papernotes.ssl.events import JsonlSink, PrintSink, Sink, fan_out
from papernotes.ssl.methods import build_method
from papernotes.ssl.optim.optimizers import build_optimizer
from papernotes.ssl.optim.schedule import peak_lr, warmup_steps
from papernotes.ssl.train import LoopSpec, TrainState, train
from papernotes.ssl.user_code import UserCodeError

PROBE_BASE_LR = 0.1  # online probe: lr = 0.1 * B/256 at peak, same schedule shape as the encoder


class _StopRequest:
    """SIGINT/SIGTERM set a flag checked at step boundaries (only in the main thread)."""

    def __init__(self) -> None:
        self.requested = False
        self._old: dict = {}

    def __enter__(self) -> "_StopRequest":
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._old[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum, frame) -> None:
        self.requested = True

    def __exit__(self, *exc) -> None:
        for sig, old in self._old.items():
            signal.signal(sig, old)


def _rank_epoch_loss(saved: torch.Tensor, env) -> torch.Tensor:
    """This rank's part of the running epoch loss from a checkpoint: its own entry when the world
    size is unchanged; else the mean (the interrupted epoch's reported loss is then approximate)."""
    saved = saved.reshape(-1)
    return saved[env.rank] if saved.numel() == env.world_size else saved.mean()


def _configure_torch(cfg: PretrainConfig) -> None:
    if cfg.train.threads:
        torch.set_num_threads(cfg.train.threads)
    if cfg.train.deterministic:
        torch.use_deterministic_algorithms(True)
        torch.backends.cudnn.benchmark = False
    elif torch.cuda.is_available():
        torch.backends.cudnn.benchmark = True
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True


def _hardware(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    threads = torch.get_num_threads()
    return f"{platform.machine()} CPU, {threads} thread{'s' if threads != 1 else ''}"


def run(cfg: PretrainConfig, sink: Sink | None = None, resume: bool = False) -> dict:
    """Pretrain, monitor, evaluate; returns the final metrics (percent) plus `status`."""
    t0 = time.perf_counter()
    earlier_s = 0.0  # the wall time of the segments before this one (a resumed run's checkpoint)

    def wall_time() -> float:
        """The run's wall time: every segment's, this one's so far included."""
        return earlier_s + time.perf_counter() - t0

    check_config(cfg)
    env = distributed.init_distributed(cfg.train.device)
    emit = sink if (sink is not None and env.is_main) else (lambda event: None)
    _configure_torch(cfg)
    tc, dev = cfg.train, env.device
    data = load_dataset(cfg.data).to(dev)  # in memory, or an image folder's file index (streamed)
    if data.streamed and cfg.eval.finetune_epochs > 0:
        raise ConfigError("eval.finetune_epochs", "fine-tuning reads in-memory images; a streamed image folder "
                          "does not support it yet (set eval.finetune_epochs: 0)")
    labels = data.train_y if data.pretrain_x is None else None
    try:
        sampler = IndexSampler(data.num_pretrain, tc.batch_size, env.rank, env.world_size, tc.seed,
                               data.sampler_device(dev))
    except ValueError as exc:
        raise ConfigError("train.batch_size", str(exc)) from None
    torch.manual_seed(tc.seed)
    core = build_method(cfg).to(dev)
    if tc.channels_last:
        core = core.to(memory_format=torch.channels_last)
    dim = core.feature_dim
    probe = OnlineProbe(dim, data.num_classes).to(dev) if (cfg.eval.online_probe and labels is not None) else None
    model, probe_fwd = core, probe
    if env.world_size > 1:
        from torch.nn.parallel import DistributedDataParallel as DDP

        ids = [dev.index] if dev.type == "cuda" else None
        # torch's SyncBatchNorm is CUDA-only: on CPU (gloo) BN statistics stay per rank.
        sync = tc.sync_bn and dev.type == "cuda"
        model = DDP(nn.SyncBatchNorm.convert_sync_batchnorm(core) if sync else core, device_ids=ids)
        core = model.module
        probe_fwd = DDP(probe, device_ids=ids) if probe is not None else None
    optimizer = build_optimizer(cfg.optim, core, tc.batch_size)
    probe_lr = PROBE_BASE_LR * tc.batch_size / 256
    probe_opt = probe_optimizer(probe, probe_lr) if probe is not None else None
    spe = sampler.steps_per_epoch
    total = tc.epochs * spe
    core.configure(total, spe)
    st = TrainState(torch.compile(model) if tc.compile else model, core, probe_fwd, optimizer, probe_opt,
                    torch.Generator(device=dev), epoch_loss=torch.zeros((), device=dev))
    out = Path(cfg.out_dir)
    ckpt_path = out / "checkpoints" / "last.pt"

    def save() -> None:  # every rank calls it: the running epoch loss is gathered per rank
        epoch_losses = distributed.gather_scalar(st.epoch_loss).cpu()  # [world]
        log_losses = distributed.gather_scalar(st.log_loss if st.log_loss is not None
                                               else torch.zeros((), device=dev)).cpu()
        if env.is_main:
            save_checkpoint(ckpt_path, {
                "model": core.state_dict(), "optimizer": optimizer.state_dict(),
                "probe": probe.state_dict() if probe is not None else {},
                "probe_optimizer": probe_opt.state_dict() if probe_opt is not None else {},
                "step": st.step, "epoch_loss": epoch_losses, "rng": rng_state(None),
                "log_loss": log_losses, "log_steps": st.log_steps, "wall_time_s": wall_time(),
                "config": config_to_dict(cfg)})
            # its step beside it, readable without torch (`repro --resume` says where it continues),
            # with the file's size and time: a kill between the two writes leaves a stale step,
            # which the reader then sees (repro/launch/layout.checkpoint_step)
            made = Path(ckpt_path).stat()
            atomic_write_text(ckpt_path.with_suffix(".json"), json.dumps(
                {"step": st.step, "size": made.st_size, "mtime_ns": made.st_mtime_ns}) + "\n",
                overwrite=True)
            emit({"event": "checkpoint", "step": st.step, "path": str(ckpt_path)})

    if resume and ckpt_path.is_file():
        state = load_checkpoint(ckpt_path, map_location=dev)
        core.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        if probe is not None:
            probe.load_state_dict(state["probe"])
            probe_opt.load_state_dict(state["probe_optimizer"])
        st.step, st.epoch_loss = int(state["step"]), _rank_epoch_loss(state["epoch_loss"], env).to(dev)
        if "log_loss" in state:  # a checkpoint from before these were kept starts a fresh window
            st.log_loss = _rank_epoch_loss(state["log_loss"], env).to(dev)
            st.log_steps = int(state["log_steps"])
        earlier_s = float(state.get("wall_time_s", 0.0))
        set_rng_state(state["rng"], None)
    if env.is_main:
        atomic_write_text(out / "config.json", json.dumps(config_to_dict(cfg), indent=2) + "\n", overwrite=True)
    emit({"event": "start", "world_size": env.world_size, "device": str(dev), "epochs": tc.epochs,
          "steps_per_epoch": spe, "steps_total": total, "start_step": st.step,
          "dataset": {"name": data.name, "fingerprint": data.fingerprint, "num_train": data.num_pretrain,
                      "num_test": int(data.test_x.shape[0]), "num_classes": data.num_classes},
          "torch": torch.__version__, "cuda": torch.version.cuda if dev.type == "cuda" else None,
          "hardware": _hardware(dev)})
    emit({"event": "phase", "name": "pretrain", "total": total})
    to_input = input_fn(cfg.data.image_size)
    last_epoch: dict = {}

    def after_step(step: int) -> None:
        if step % spe == 0:
            epoch = step // spe
            metrics = {"train/loss": distributed.all_reduce_mean(st.epoch_loss / spe).item()}  # all ranks
            st.epoch_loss = torch.zeros((), device=dev)
            if cfg.eval.monitor_every and epoch % cfg.eval.monitor_every == 0:
                metrics.update(monitor(core.eval_encoder(), probe, data, cfg.eval, to_input))
            last_epoch.update(metrics)
            emit({"event": "epoch", "step": step, "epoch": epoch, "metrics": metrics})
        if tc.checkpoint_every and step % tc.checkpoint_every == 0:
            save()

    source = data.train_source(sampler, core.crop_plan(), tc.seed, env.rank, dev)
    spec = LoopSpec(cfg, source, total, warmup_steps(cfg.optim.warmup_epochs, spe),
                    peak_lr(cfg.optim, tc.batch_size), probe_lr, env.world_size, env.rank, dev,
                    tc.precision == "bf16" or (tc.precision == "auto" and dev.type == "cuda"))
    with _StopRequest() as stop:
        finished = train(spec, st, emit, after_step, lambda: stop.requested)
    save()
    if not finished:
        emit({"event": "end", "status": "interrupted", "step": st.step, "checkpoint": str(ckpt_path),
              "wall_time_s": wall_time(), "metrics": dict(last_epoch)})
        distributed.cleanup()
        return {"status": "interrupted", **last_epoch}
    metrics = dict(last_epoch)
    metrics.update(final_evaluation(core.eval_encoder(), data, cfg, to_input, emit, out if env.is_main else None))
    emit({"event": "end", "status": "finished", "step": st.step, "checkpoint": str(ckpt_path),
          "wall_time_s": wall_time(), "metrics": metrics})
    distributed.cleanup()
    return {"status": "finished", **metrics}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m papernotes.ssl.pretrain", description=__doc__.split("\n")[0])
    parser.add_argument("--config", required=True, help="JSON (or YAML) file of PretrainConfig values")
    parser.add_argument("--events", help="append every event as one JSON line to this file")
    parser.add_argument("--resume", action="store_true", help="continue from out_dir/checkpoints/last.pt")
    parser.add_argument("--quiet", action="store_true", help="no plain-text progress lines")
    args = parser.parse_args(argv)
    jsonl = None
    try:
        cfg = load_config_file(args.config)
        rank0 = int(__import__("os").environ.get("RANK", "0")) == 0
        jsonl = JsonlSink(args.events) if (args.events and rank0) else None
        result = run(cfg, fan_out(jsonl, None if args.quiet else PrintSink()), resume=args.resume)
    except UserCodeError as exc:  # the user's file: one line here, the traceback for the launcher
        user_code.write_error(Path(args.config).parent, exc)
        print(f"error: {exc}".replace("\n", " "), file=sys.stderr)
        return 2
    except (PapernotesError, FileNotFoundError, json.JSONDecodeError) as exc:  # user mistakes; a bug shows its traceback
        print(f"error: {exc}".replace("\n", " "), file=sys.stderr)
        return 2
    except Exception as exc:
        err = user_code.blame(exc)  # raised inside the user's code (forward, views, a backbone)
        if err is None:
            raise  # a bug of papernotes: its traceback
        user_code.write_error(Path(args.config).parent, err)
        print(f"error: {err}".replace("\n", " "), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    finally:
        if jsonl is not None:
            jsonl.close()
    return 130 if result["status"] == "interrupted" else 0


if __name__ == "__main__":
    signal.signal(signal.SIGINT, _default_sigint)  # from here main's own handling applies
    sys.exit(main())
