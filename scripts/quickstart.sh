#!/usr/bin/env bash
# The main job, from a fresh checkout: installs what is missing, builds
# flytec, libflyterun and the examples in _build/, then compiles the
# quickstart (its typed signatures and its registration package), and runs
# its workflow locally with the task executable make built from
# examples/quickstart/quickstart.c and the generated C.
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh
if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt configure ]; then
	autoreconf -fi
fi
mkdir -p _build
cd _build
[ -f Makefile ] || ../configure -q
make -s -j"$(nproc)"
echo "== flytec --signatures examples/quickstart/quickstart.flyte"
./flytec --signatures ../examples/quickstart/quickstart.flyte
echo "== flytec --emit=package -o quickstart-package.tgz examples/quickstart/quickstart.flyte"
./flytec --emit=package -o quickstart-package.tgz ../examples/quickstart/quickstart.flyte
tar tzf quickstart-package.tgz
echo "== examples/quickstart/quickstart run pipeline xs=[1,2,3,4]"
./examples/quickstart/quickstart run pipeline 'xs=[1,2,3,4]'
