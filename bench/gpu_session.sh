#!/usr/bin/env bash
# Every GPU check of this project in one run, for a lent GPU machine (one H200 with Python 3.12
# and torch 2.11, but none of pydantic, ruamel.yaml, mlflow; pytest only if carried). From the
# repository root, with the device tool (its $OUT comes back):
#
#     pip install -q --target .gpu_site --python-version 3.12 --only-binary=:all: pytest
#         (here, once: pure-Python wheels for the device's Python, 15 MB, git-ignored)
#     run(command="bash bench/gpu_session.sh", carry=[".gpu_site"], timeout_s=560)
#
# 1. the machine: GPU, driver, Python, torch, torchvision             -> $OUT/machine.txt
# 2. bench/bench_engine_gpu.py --profiles bench/gpu_profiles: the engine against a DataLoader+PIL
#    baseline, ResNet-50 at 224, every method, and each spec's CIFAR-10 profile (issues 9, 13)
#                                                                      -> $OUT/engine_gpu.json
# 3. the CUDA tests (`-m gpu`) without the workspace conftest (it needs the notes layer's
#    libraries)                                                        -> $OUT/gpu_tests.log
# 4. bench/bench_stream.py gpu: the streamed image-folder loader (issue 21): nvJPEG in the main
#    process against CPU workers (decode + two 224 crops, images/s), and a ResNet-50 step at batch
#    256 fed by the faster one against the same step on a resident batch (goal: <= 10% more)
#                                                                      -> $OUT/stream_gpu.json
# Each step has its own time limit, so a hang in one still leaves the others' results.
# SMOKE=1: tiny sizes on the CPU (how this script is checked without a GPU).
set -u
OUT="${OUT:-bench/out/gpu}"
mkdir -p "$OUT"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
[ -d .gpu_site ] && export PYTHONPATH="$PYTHONPATH:$PWD/.gpu_site"
{
  date -u
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
  python -c 'import sys, torch, torchvision; print("python", sys.version.split()[0], "torch",
torch.__version__, "torchvision", torchvision.__version__, "cuda", torch.cuda.is_available())'
} > "$OUT/machine.txt" 2>&1
cat "$OUT/machine.txt"
timeout "${BENCH_TIMEOUT_S:-420}" python bench/bench_engine_gpu.py --profiles bench/gpu_profiles \
    ${SMOKE:+--smoke} --out "$OUT/engine_gpu.json" > "$OUT/engine_gpu.log" 2>&1
echo "bench_engine_gpu.py: exit status $?" | tee -a "$OUT/machine.txt"
tail -n 4 "$OUT/engine_gpu.log"
if python -c 'import pytest' 2> /dev/null; then
    timeout 120 python -m pytest -q -m gpu --noconftest -p no:cacheprovider \
        $(grep -rl "mark.gpu" tests --include="test_*.py")
else
    echo "pytest is not installed here: carry .gpu_site (see the top of bench/gpu_session.sh)"
fi > "$OUT/gpu_tests.log" 2>&1
echo "gpu tests: exit status $?" | tee -a "$OUT/machine.txt"
tail -n 3 "$OUT/gpu_tests.log"
timeout "${STREAM_TIMEOUT_S:-150}" python bench/bench_stream.py gpu --workers 8 ${SMOKE:+--smoke} \
    --out "$OUT/stream_gpu.json" > "$OUT/stream_gpu.log" 2>&1
echo "bench_stream.py gpu: exit status $?" | tee -a "$OUT/machine.txt"
tail -n 12 "$OUT/stream_gpu.log"
