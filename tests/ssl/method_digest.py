"""The digest of a tiny deterministic run of a method: every weight and buffer of the method after
6 CPU steps and the run's metrics, hashed. `golden/method_digests.json` holds the digests of the
built-in methods taken before the method registry (issue 24) moved their code: a refactor of the
seam must leave them bitwise equal. Regenerate (only for an intended change of numbers) with
`python -m tests.ssl.method_digest`."""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden" / "method_digests.json"


def digest(method: str, out_dir) -> str:
    import torch

    from papernotes.ssl.checkpoint import load_checkpoint
    from papernotes.ssl.config import config_from_dict
    from papernotes.ssl.pretrain import run
    from tests.ssl.test_methods import tiny

    metrics = run(config_from_dict(tiny(method, out_dir)))
    state = load_checkpoint(Path(out_dir) / "checkpoints" / "last.pt")["model"]
    h = hashlib.sha256(json.dumps(metrics, sort_keys=True).encode())
    for key in sorted(state):
        h.update(key.encode())
        h.update(state[key].detach().reshape(-1).contiguous().view(torch.uint8).numpy().tobytes()
                 if state[key].numel() else b"")
    return h.hexdigest()


if __name__ == "__main__":
    names = sys.argv[1:] or ["simclr", "mocov2", "byol", "barlowtwins", "swav", "dino", "mae", "rotnet"]
    with tempfile.TemporaryDirectory() as tmp:
        out = {m: digest(m, Path(tmp) / m) for m in names}
    GOLDEN.write_text(json.dumps(out, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(json.dumps(out, indent=2))
