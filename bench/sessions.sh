#!/usr/bin/env bash
# Times `rolecall assume` for the whole process, against moto_server on
# loopback: cold one hop, cold three hops, and warm (from the cache), side
# by side with `aws sts assume-role`. Prints the minimum of many runs.
#
#   bench/sessions.sh [RUNS]      (default 50; needs moto_server, aws optional)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-50}

. bench/lib.sh
bench_init
start_moto

export AWS_ENDPOINT_URL_STS="http://127.0.0.1:$port" ROLECALL_CACHE_DIR="$work/cache"
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
files=(--config session/testdata/moto/config --credentials session/testdata/moto/credentials)

cold='rm -rf "$ROLECALL_CACHE_DIR"'
printf '%-28s %10s   %s\n' "case ($runs runs, min)" "rolecall" "target"
printf '%-28s %8s ms   %s\n' "cold, one hop" "$(min_ms "$cold" "$work/rolecall" assume one "${files[@]}")" "<= 20 ms"
printf '%-28s %8s ms   %s\n' "cold, three hops" "$(min_ms "$cold" "$work/rolecall" assume three "${files[@]}")" "<= 30 ms"
printf '%-28s %8s ms   %s\n' "warm, from the cache" "$(min_ms ":" "$work/rolecall" assume three "${files[@]}")" "<= 8 ms"

if command -v aws >/dev/null; then
	runs=$(( runs < 10 ? runs : 10 )) # the AWS CLI takes half a second a run
	ms=$(AWS_ACCESS_KEY_ID=AKIAROLECALLTEST0001 AWS_SECRET_ACCESS_KEY=bench AWS_DEFAULT_REGION=us-east-1 \
		min_ms ":" aws sts assume-role --role-arn arn:aws:iam::123456789012:role/one --role-session-name bench)
	printf '%-28s %8s ms   (%d runs)\n' "aws sts assume-role, 1 hop" "$ms" "$runs"
fi
