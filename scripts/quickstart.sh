#!/bin/sh
# The main job, from a fresh checkout: installs what is missing, builds
# flytec in _build/, and runs the quickstart example.
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh
[ -x configure ] || autoreconf -fi
mkdir -p _build
cd _build
[ -f Makefile ] || ../configure -q
make -s -j"$(nproc)"
echo "== flytec --signatures examples/quickstart/quickstart.flyte"
./flytec --signatures ../examples/quickstart/quickstart.flyte
