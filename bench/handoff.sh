#!/usr/bin/env bash
# Times the hand-offs for the whole process, warm (the session is cached):
# `rolecall credential-process`, which the AWS CLI runs before every call,
# plus `env` and `use`; then the AWS CLI reading a credential_process
# profile side by side with the same call on static keys. Against
# moto_server on loopback; prints the minimum of many runs.
#
#   bench/handoff.sh [RUNS]      (default 100; needs moto_server, aws optional)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-100}

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

mkdir -p "$work/home/.aws"
cp testdata/handoff/config "$work/home/.aws/config"
cp testdata/handoff/credentials "$work/home/.aws/credentials"
printf '\n[profile cp]\ncredential_process = %s credential-process roleA\n' "$work/rolecall" >>"$work/home/.aws/config"
export HOME="$work/home" AWS_CONFIG_FILE="$work/home/.aws/config" AWS_SHARED_CREDENTIALS_FILE="$work/home/.aws/credentials"
export AWS_ENDPOINT_URL_STS="http://127.0.0.1:$port" ROLECALL_CACHE_DIR="$work/cache" AWS_DEFAULT_REGION=us-east-1
"$work/rolecall" assume roleA >/dev/null # fill the cache: everything below is warm

# min_ms CMD...: the fastest of $runs runs, in milliseconds. hyperfine,
# when installed, times without the shell's own fork in the way.
min_ms() {
	local best=999999999 t0 t1 i
	"$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; "$@" >&2; exit 1; }
	if command -v hyperfine >/dev/null; then
		hyperfine -N --style none --warmup 3 --runs "$runs" --export-json "$work/h.json" -- "$(printf '%q ' "$@")" >/dev/null 2>&1
		python3 -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][0]["min"] * 1000))' "$work/h.json"
		return
	fi
	for ((i = 0; i < runs; i++)); do
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1
		t1=$(date +%s%N)
		((t1 - t0 < best)) && best=$((t1 - t0))
	done
	awk -v ns="$best" 'BEGIN { printf "%.1f", ns / 1e6 }'
}

printf '%-44s %9s   %s\n' "case ($runs runs, min)" "time" "target"
printf '%-44s %6s ms   %s\n' "rolecall credential-process roleA (warm)" "$(min_ms "$work/rolecall" credential-process roleA)" "<= 8 ms"
printf '%-44s %6s ms\n' "rolecall env roleA (warm)" "$(min_ms "$work/rolecall" env roleA)"
printf '%-44s %6s ms\n' "rolecall use roleA (warm, writes the file)" "$(min_ms "$work/rolecall" use roleA)"

if command -v aws >/dev/null; then
	runs=$((runs < 10 ? runs : 10)) # the AWS CLI takes half a second a run
	printf '%-44s %6s ms\n' "aws sts get-caller-identity --profile cp" "$(min_ms aws sts get-caller-identity --profile cp)"
	printf '%-44s %6s ms   %s\n' "aws sts get-caller-identity --profile base" "$(min_ms aws sts get-caller-identity --profile base)" "(static keys: the CLI's own cost)"
fi
