#!/usr/bin/env bash
# Times `rolecall assume` for the whole process, against moto_server on
# loopback: cold one hop, cold three hops, and warm (from the cache), side
# by side with `aws sts assume-role`. Prints the minimum of many runs.
#
#   bench/sessions.sh [RUNS]      (default 50; needs moto_server, aws optional)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-50}

command -v moto_server >/dev/null || { echo "moto_server is not installed (pip install 'moto[server]')" >&2; exit 1; }
work=$(mktemp -d)
moto_pid=""
cleanup() {
	[ -n "$moto_pid" ] && kill "$moto_pid" 2>/dev/null && wait "$moto_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/rolecall" .
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
moto_server -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
moto_pid=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/moto-api/" >/dev/null 2>&1 && break; sleep 0.1; done

export AWS_ENDPOINT_URL_STS="http://127.0.0.1:$port" ROLECALL_CACHE_DIR="$work/cache"
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
files=(--config session/testdata/moto/config --credentials session/testdata/moto/credentials)

# min_ms PREPARE CMD...: the fastest of $runs runs, in milliseconds.
# hyperfine, when installed, times without the shell's own fork in the way.
min_ms() {
	local prepare=$1 best=999999999 t0 t1 i
	shift
	"$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; "$@" >&2; exit 1; }
	if command -v hyperfine >/dev/null; then
		hyperfine -N --style none --runs "$runs" --prepare "bash -c '$prepare'" --export-json "$work/h.json" -- "$(printf '%q ' "$@")" >/dev/null 2>&1
		python3 -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][0]["min"] * 1000))' "$work/h.json"
		return
	fi
	for ((i = 0; i < runs; i++)); do
		eval "$prepare"
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1
		t1=$(date +%s%N)
		((t1 - t0 < best)) && best=$((t1 - t0))
	done
	awk -v ns="$best" 'BEGIN { printf "%.1f", ns / 1e6 }'
}

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
