#!/usr/bin/env bash
# make.sh — regenerate the README's screenshots from the real app running
# `rolecall demo` (the built-in sandbox: no AWS account needed).
#
#   screenshots/make.sh            # writes screenshots/{list,details,mfa}.png
#
# Needs tmux and the shared tui-screenshot.sh (override with $TUI_SCREENSHOT);
# that script builds freeze once on first use, or takes $FREEZE. A freeze
# v0.2.2 built with Go 1.26 crashes unless its wazero is v1.12 or newer.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
shot=${TUI_SCREENSHOT:-$repo/../shared/tools/tui-screenshot.sh}
[ -x "$shot" ] || { echo "make.sh: $shot not found; set TUI_SCREENSHOT" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$repo" && go build -o "$tmp/rolecall" .)
# The demo never reads ~/.aws; a throw-away HOME makes sure of it.
run="HOME=$tmp $tmp/rolecall demo"

# Every shot is 120 columns wide, the width of a laptop terminal. The
# demo's files live in one temporary directory, which the header names
# once; legacy-reports is the sandbox's broken profile, marked ✗.

# The list with live sessions in every colour: the demo's roles last from
# 2 hours down to 4 minutes (billing-mfa, after its MFA code); prod-admin
# goes into [default] with auto-renew on; sso-data stays logged out. i
# hides the details pane, so every column shows.
"$shot" --trim -s 120x24 -o "$here/list.png" "$run" 'wait:prod-admin' \
  Enter 'sleep:0.5' j Enter 'wait:MFA code' 'text:123456' Enter 'sleep:0.5' \
  j Enter 'sleep:0.5' j Enter 'sleep:0.5' j Enter 'sleep:0.5' j j Enter 'sleep:0.5' \
  j d 'sleep:0.5' a j j Enter 'sleep:1' Escape 'sleep:0.3' g i 'sleep:1.5'

# The details pane of the chained role, next to the list: the chain hop
# by hop, the lifetime asked for and granted.
"$shot" --trim -s 120x32 -o "$here/details.png" "$run" 'wait:prod-admin' \
  j j j j j j d 'sleep:0.5' g Enter 'sleep:1' Escape 'sleep:1.5'

# The MFA modal over the list, halfway through a code.
"$shot" --trim -s 120x24 -o "$here/mfa.png" "$run" 'wait:prod-admin' \
  i Enter 'sleep:0.5' j j j Enter 'sleep:1' Escape 'sleep:0.3' k k Enter 'wait:MFA code' 'text:1234'
