#!/usr/bin/env bash
# Side-by-side benchmarks of orgspace, Casbin and OpenFGA on one data set, in
# one process, the libraries interleaved figure by figure. It generates the
# set, loads it into the three, cross-checks them (10,000 checks and 1,000
# listings; any difference fails the run before anything is measured), runs
# every benchmark, and prints the table of bench/cmd/benchtable.
#
#   bash bench/run.sh                  # from anywhere
#   ROUNDS=5 BENCHTIME=2s bash bench/run.sh
#
# ROUNDS (default 3) is how many times every figure is measured, the
# libraries taking turns in each round; the table shows the median.
# BENCHTIME (default 1s) is go test's -benchtime. The raw output is kept in
# $OUT (default: a temporary file, named at the end).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

benchtime=${BENCHTIME:-1s}
rounds=${ROUNDS:-3}
out=${OUT:-$(mktemp -t orgspace-bench.XXXXXX)}

{
	echo "# $(go version), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
	echo "# orgspace $(git -C .. rev-parse --short HEAD 2>/dev/null || echo '(no git)')"
	go list -m -f '# {{.Path}} {{.Version}}' github.com/casbin/casbin/v2 github.com/openfga/openfga
} | tee "$out"

start=$(date +%s)
go test -run '^$' -bench . -benchmem -benchtime "$benchtime" -timeout 60m . -args -rounds "$rounds" | tee -a "$out"
echo "# ran in $(($(date +%s) - start)) s" | tee -a "$out"

echo
grep '^# ' "$out" | grep -v '^# ran in'
echo
go run ./cmd/benchtable <"$out"
echo
echo "raw output: $out"
