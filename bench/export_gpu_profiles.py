"""Write each spec's CIFAR-10 profile, resolved, as an engine config for the GPU machine.

The lent GPU machine has torch but not ruamel.yaml or pydantic, so it cannot read repro/*.yaml.
This script resolves, here, the first profile of each spec that trains on CIFAR-10 (SimCLR's
`resnet18`, DINO's `cifar10`, ...) and writes it as the engine's own JSON config to
bench/gpu_profiles/SPEC.json, with the spec and profile names beside it. bench_engine_gpu.py
--profiles bench/gpu_profiles then times exactly those recipes (#13's GPU goal).

    python bench/export_gpu_profiles.py [--out bench/gpu_profiles]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cifar_profiles() -> dict[str, tuple[str, dict]]:
    """{spec: (profile, engine config as a dict)} for every spec with a CIFAR-10 profile."""
    from papernotes.repro.spec.model import load_spec, resolve
    from papernotes.ssl.config import config_to_dict

    out = {}
    for path in sorted((ROOT / "repro").glob("*.yaml")):
        spec, doc = load_spec(path)
        for profile in spec.profiles:
            cfg = resolve(spec, doc, path, profile, None).config
            if cfg.data.name == "cifar10":
                out[path.stem] = (profile, config_to_dict(cfg))
                break
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "gpu_profiles")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for spec, (profile, config) in cifar_profiles().items():
        target = args.out / f"{spec}.json"
        target.write_text(json.dumps({"spec": spec, "profile": profile, "config": config},
                                     indent=1) + "\n", encoding="utf-8")
        print(f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}: "
              f"repro/{spec}.yaml {profile} ({config['model']['arch']}, batch "
              f"{config['train']['batch_size']})")


if __name__ == "__main__":
    main()
