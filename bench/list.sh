#!/usr/bin/env bash
# Times `rolecall list --json` against `aws configure list` on generated
# config files of 10 and 10,000 profiles: minimum wall time of many runs
# and peak RSS. Usage: bench/list.sh [runs]   (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
. bench/lib.sh
bench_init
for n in 10 10000; do
  go run ./internal/profilegen/cmd -n "$n" -dir "$work/p$n"
done

# peak_mib CMD...: the smallest peak RSS of 5 runs, in MiB.
peak_mib() {
  if [ ! -x /usr/bin/time ]; then echo "n/a"; return; fi
  local best=""
  for _ in 1 2 3 4 5; do
    local kb
    /usr/bin/time -f '%M' -o "$work/rss" "$@" >/dev/null 2>&1
    kb=$(tail -1 "$work/rss")
    if [ -z "$best" ] || [ "$kb" -lt "$best" ]; then best=$kb; fi
  done
  awk -v kb="$best" 'BEGIN { printf "%.1f\n", kb / 1024 }'
}

printf '%-28s %9s %12s %10s\n' "command" "profiles" "min wall ms" "peak MiB"
for n in 10 10000; do
  cfg="$work/p$n/config" cred="$work/p$n/credentials"
  ours=("$work/rolecall" list --json --config "$cfg" --credentials "$cred")
  printf '%-28s %9s %12s %10s\n' "rolecall list --json" "$n" "$(min_ms ":" "${ours[@]}")" "$(peak_mib "${ours[@]}")"
  if command -v aws >/dev/null 2>&1; then
    export AWS_CONFIG_FILE="$cfg" AWS_SHARED_CREDENTIALS_FILE="$cred"
    theirs=(aws configure list)
    # The AWS CLI takes about a second a run: fewer runs keep this short.
    saved=$runs; runs=$(( runs < 5 ? runs : 5 ))
    printf '%-28s %9s %12s %10s\n' "aws configure list" "$n" "$(min_ms ":" "${theirs[@]}")" "$(peak_mib "${theirs[@]}")"
    runs=$saved
    unset AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE
  fi
done
