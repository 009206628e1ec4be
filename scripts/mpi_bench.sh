#!/usr/bin/env bash
# Time per iteration of examples/mpi_least_squares.rs on 1 and 2 ranks (or the rank counts given
# as arguments), its parallel efficiency and the bytes each rank reduces per iteration.
#
#   scripts/mpi_bench.sh                 # 10^7 observations, 1 and 2 ranks, both step solvers
#   OBSERVATIONS=1000000 scripts/mpi_bench.sh 1 2 4
#
# Needs the `mpi` feature's build dependencies (Open MPI, libclang). Not run by CI.
set -euo pipefail
cd "$(dirname "$0")/.."
OBSERVATIONS=${OBSERVATIONS:-10000000}
RANKS=("$@")
if [ ${#RANKS[@]} -eq 0 ]; then RANKS=(1 2); fi
cargo build --release --features mpi --example mpi_least_squares >/dev/null
EXE=${CARGO_TARGET_DIR:-target}/release/examples/mpi_least_squares
FLAGS=(--oversubscribe)
if [ "$(id -u)" = 0 ]; then FLAGS+=(--allow-run-as-root); fi
for solver in cg exact; do
  base=""
  for np in "${RANKS[@]}"; do
    out=$(mpirun "${FLAGS[@]}" -np "$np" "$EXE" --observations "$OBSERVATIONS" --solver "$solver")
    per=$(sed -n 's/.* \([0-9.]*\) s per iteration.*/\1/p' <<<"$out")
    iters=$(sed -n 's/.*, \([0-9]*\) iterations, f = .*/\1/p' <<<"$out")
    bytes=$(sed -n 's/.*(\([0-9]*\) per iteration).*/\1/p' <<<"$out")
    if [ -z "$base" ]; then base=$per; base_np=$np; fi
    eff=$(python3 -c "print(f'{($base * $base_np) / ($per * $np):.2f}')")
    echo "solver $solver  ranks $np  iterations $iters  s/iteration $per  efficiency vs $base_np rank(s) $eff  bytes reduced per rank per iteration $bytes"
  done
done
