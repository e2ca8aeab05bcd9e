#!/usr/bin/env bash
# Alternating whole-process timing: runs each labelled command N times, taking turns, and
# prints per label the minimum and median wall time and the median user CPU time.
#
#   bench/ab.sh 8 "before|java -jar old.jar compile ..." "after|java -jar target/portpolicy.jar compile ..."
#
# Taking turns matters on a shared machine: its speed drifts by a quarter over an hour, so
# only runs interleaved with each other compare. Output of the commands is discarded.
set -euo pipefail
runs=$1
shift
declare -A walls users
times="$(mktemp)"
trap 'rm -f "$times"' EXIT
for ((k = 0; k < runs; k++)); do
  for spec in "$@"; do
    label=${spec%%|*}
    command=${spec#*|}
    /usr/bin/time -o "$times" -f "%e %U" bash -c "$command" >/dev/null 2>&1 || true
    read -r wall user < <(tail -1 "$times")
    walls[$label]+="$wall "
    users[$label]+="$user "
  done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
for spec in "$@"; do
  label=${spec%%|*}
  least=$(echo "${walls[$label]}" | tr ' ' '\n' | grep . | sort -n | head -1)
  echo "$label: wall min $least median $(echo "${walls[$label]}" | median) | user median $(echo "${users[$label]}" | median)"
done
