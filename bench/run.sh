#!/usr/bin/env bash
# Whole-process benchmark of `portpolicy lint`: every run is a fresh JVM, as a user or CI sees it.
#
#   bench/run.sh                 # generate inputs (if needed) and measure ./portpolicy
#   bench/run.sh 10000           # only the given sizes (N rules; "small" is the 30-rule policy)
#
# Environment:
#   PORTPOLICY   command to measure (default: the ./portpolicy launcher at the repository root),
#                e.g. PORTPOLICY="java -jar target-bench/portpolicy.jar"
#   RUNS         timed runs per case (default 10; 5 for N >= 100000)
#   WARMUP       untimed runs first, to warm the file cache (default 2)
#   SEED         generator seed (default 42)
#
# Inputs and results go to bench/out/ (git-ignored). Uses hyperfine when installed
# (Debian: apt-get install hyperfine); otherwise a plain timing loop with the same statistics.
set -euo pipefail

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
out="$root/bench/out"
mkdir -p "$out"
cd "$root"

cmd="${PORTPOLICY:-$root/portpolicy}"
warmup="${WARMUP:-2}"
seed="${SEED:-42}"
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(small 1000 10000 100000)

# ---- inputs ---------------------------------------------------------------------------
for n in "${sizes[@]}"; do
  file="$out/rules-$n-seed$seed.policy"
  if [ ! -s "$file" ] || [ "$root/bench/GeneratePolicy.java" -nt "$file" ]; then
    java "$root/bench/GeneratePolicy.java" "$n" "$seed" > "$file.tmp"
    mv "$file.tmp" "$file"
  fi
done

# Build (if the launcher needs to) and check that every input checks before timing anything.
# The generated policies have findings (their random rules overlap and expose ports): with
# --fail-on never a lint exits 0 when it ran to the end, 2 when the input could not be used.
$cmd --version > /dev/null
for n in "${sizes[@]}"; do
  if ! $cmd lint --fail-on never "$out/rules-$n-seed$seed.policy" > /dev/null; then
    echo "bench: rules-$n-seed$seed.policy does not check" >&2
    exit 1
  fi
done

# ---- measurement ----------------------------------------------------------------------
runs_for() {
  if [ -n "${RUNS:-}" ]; then echo "$RUNS"
  elif [ "$1" = small ] || [ "$1" -lt 100000 ]; then echo 10
  else echo 5
  fi
}

# Fallback: mean ± sample standard deviation, min and max of wall-clock milliseconds.
loop_time() {
  local name="$1" runs="$2"; shift 2
  local i start end
  for ((i = 0; i < warmup; i++)); do "$@" > /dev/null 2>&1 || true; done
  for ((i = 0; i < runs; i++)); do
    start=$(date +%s%N)
    "$@" > /dev/null 2>&1 || { echo "bench: '$*' failed" >&2; exit 1; }
    end=$(date +%s%N)
    echo $(( (end - start) / 1000 ))
  done | awk -v name="$name" '
    { t = $1 / 1e6; s += t; ss += t * t; if (n == 0 || t < lo) lo = t; if (t > hi) hi = t; n++ }
    END {
      m = s / n; sd = n > 1 ? sqrt((ss - n * m * m) / (n - 1)) : 0
      printf "| `%s` | %.1f ± %.1f | %.1f | %.1f | %d |\n", name, m * 1000, sd * 1000, lo * 1000, hi * 1000, n
    }'
}

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
echo "portpolicy whole-process benchmark, $stamp"
echo "command: $cmd; $(nproc) cores; $(java -version 2>&1 | head -1)"
echo

cases=("--version")
for n in "${sizes[@]}"; do cases+=("$n"); done

if command -v hyperfine > /dev/null 2>&1; then
  table="$out/results-$stamp.md"
  for n in "${cases[@]}"; do
    if [ "$n" = --version ]; then name="--version"; runs="${RUNS:-10}"; what=(--version)
    else name="lint $n"; runs="$(runs_for "$n")"; what=(lint --fail-on never "$out/rules-$n-seed$seed.policy")
    fi
    hyperfine -N --style basic --time-unit millisecond --warmup "$warmup" --runs "$runs" \
      --export-markdown "$out/case.md" --export-json "$out/results-$stamp-${name// /-}.json" \
      --command-name="$name" "$cmd ${what[*]}"
    if [ ! -s "$table" ]; then head -2 "$out/case.md" > "$table"; fi
    tail -n +3 "$out/case.md" >> "$table"
    rm -f "$out/case.md"
  done
  echo
  cat "$table"
else
  echo "(hyperfine not found: plain timing loop)"
  echo "| Command | Mean [ms] | Min [ms] | Max [ms] | Runs |"
  echo "|:---|---:|---:|---:|---:|"
  for n in "${cases[@]}"; do
    # shellcheck disable=SC2086
    if [ "$n" = --version ]; then loop_time "--version" "${RUNS:-10}" $cmd --version
    else loop_time "lint $n" "$(runs_for "$n")" $cmd lint --fail-on never "$out/rules-$n-seed$seed.policy"
    fi
  done
fi
