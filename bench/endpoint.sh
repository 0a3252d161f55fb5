#!/usr/bin/env bash
# Times a child's `aws sts get-caller-identity` that reads its credentials
# from `rolecall serve`'s endpoint, side by side with the same call on the
# session's keys in the environment (what `rolecall env` and plain `exec`
# hand over). Against moto_server on loopback; prints the minimum of RUNS.
#
#   bench/endpoint.sh [RUNS]      (default 10; needs moto_server and aws)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}

. bench/lib.sh
bench_init
command -v aws >/dev/null || { echo "aws is not installed" >&2; exit 1; }
start_moto
serve_pid=""
trap '[ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null; bench_cleanup' EXIT

mkdir -p "$work/home/.aws"
cp cli/testdata/handoff/config "$work/home/.aws/config"
cp cli/testdata/handoff/credentials "$work/home/.aws/credentials"
export HOME="$work/home" AWS_CONFIG_FILE="$work/home/.aws/config" AWS_SHARED_CREDENTIALS_FILE="$work/home/.aws/credentials"
export AWS_ENDPOINT_URL_STS="http://127.0.0.1:$port" ROLECALL_CACHE_DIR="$work/cache" AWS_DEFAULT_REGION=us-east-1 AWS_PAGER=
"$work/rolecall" assume roleA >/dev/null # both cases hand over the same cached session

"$work/rolecall" env roleA --shell bash >"$work/keys.sh"
"$work/rolecall" serve roleA --shell bash >"$work/endpoint.sh" 2>"$work/serve.log" &
serve_pid=$!
for _ in $(seq 100); do
	grep -q '^export ROLECALL_PROFILE=' "$work/endpoint.sh" 2>/dev/null && break
	sleep 0.05
done
grep -q '^export ROLECALL_PROFILE=' "$work/endpoint.sh" || { cat "$work/serve.log" >&2; exit 1; }

printf '%-52s %9s\n' "aws sts get-caller-identity ($runs runs, min)" "time"
printf '%-52s %6s ms\n' "keys in the environment (rolecall env / exec)" "$(. "$work/keys.sh" && min_ms ":" aws sts get-caller-identity)"
printf '%-52s %6s ms\n' "through the endpoint (rolecall serve / exec --server)" "$(. "$work/endpoint.sh" && min_ms ":" aws sts get-caller-identity)"
