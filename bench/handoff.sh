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

. bench/lib.sh
bench_init
start_moto

mkdir -p "$work/home/.aws"
cp testdata/handoff/config "$work/home/.aws/config"
cp testdata/handoff/credentials "$work/home/.aws/credentials"
printf '\n[profile cp]\ncredential_process = %s credential-process roleA\n' "$work/rolecall" >>"$work/home/.aws/config"
export HOME="$work/home" AWS_CONFIG_FILE="$work/home/.aws/config" AWS_SHARED_CREDENTIALS_FILE="$work/home/.aws/credentials"
export AWS_ENDPOINT_URL_STS="http://127.0.0.1:$port" ROLECALL_CACHE_DIR="$work/cache" AWS_DEFAULT_REGION=us-east-1
"$work/rolecall" assume roleA >/dev/null # fill the cache: everything below is warm

printf '%-44s %9s   %s\n' "case ($runs runs, min)" "time" "target"
printf '%-44s %6s ms   %s\n' "rolecall credential-process roleA (warm)" "$(min_ms ":" "$work/rolecall" credential-process roleA)" "<= 8 ms"
printf '%-44s %6s ms\n' "rolecall env roleA (warm)" "$(min_ms ":" "$work/rolecall" env roleA)"
printf '%-44s %6s ms\n' "rolecall use roleA (warm, writes the file)" "$(min_ms ":" "$work/rolecall" use roleA)"

if command -v aws >/dev/null; then
	runs=$((runs < 10 ? runs : 10)) # the AWS CLI takes half a second a run
	printf '%-44s %6s ms\n' "aws sts get-caller-identity --profile cp" "$(min_ms ":" aws sts get-caller-identity --profile cp)"
	printf '%-44s %6s ms   %s\n' "aws sts get-caller-identity --profile base" "$(min_ms ":" aws sts get-caller-identity --profile base)" "(static keys: the CLI's own cost)"
fi
