#!/usr/bin/env bash
# make demo: builds the provider and the emulator, starts the emulator with
# an empty app (no accounts, no groups), builds the demo app from nothing
# with one real `apply` of examples/demo (accounts, then groups, then
# memberships), shows the result, then checks that a second plan has no
# changes. Everything it starts is stopped on exit.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

cli=$(command -v terraform || command -v tofu || true)
[ -n "$cli" ] || cli=$(tools/ensure-tofu.sh)

work=$(mktemp -d "${TMPDIR:-/tmp}/tencentim-demo.XXXXXX")
emulator_pid=
cleanup() {
  status=$?
  if [ -n "$emulator_pid" ]; then kill "$emulator_pid" 2>/dev/null || true; wait "$emulator_pid" 2>/dev/null || true; fi
  if [ $status -ne 0 ] && [ -f "$work/emulator.log" ]; then
    echo "--- emulator log (last 20 lines) ---"; tail -n 20 "$work/emulator.log"
  fi
  rm -rf "$work"
  exit $status
}
trap cleanup EXIT INT TERM

echo "==> building the provider and the emulator"
go build -o "$work/plugins/terraform-provider-tencentim" .
go build -o "$work/tencentim-emulator" ./cmd/tencentim-emulator

# Only the app: sdkappid 1400000000, secret key emulator-secret-key, admin
# administrator (the command's defaults); no -seed-demo, so the apply below
# creates every account, group and membership itself.
echo "==> starting the emulator (an empty app) on a loopback port"
"$work/tencentim-emulator" -listen 127.0.0.1:0 -port-file "$work/addr" >"$work/emulator.log" 2>&1 &
emulator_pid=$!
for _ in $(seq 1 100); do [ -s "$work/addr" ] && break; sleep 0.1; done
[ -s "$work/addr" ] || { echo "the emulator did not start"; exit 1; }
endpoint="http://$(head -n1 "$work/addr")"

cat >"$work/cli.tfrc" <<CFG
provider_installation {
  dev_overrides {
    "registry.terraform.io/tencentim/tencentim" = "$work/plugins"
    "registry.opentofu.org/tencentim/tencentim" = "$work/plugins"
  }
  direct {}
}
CFG
mkdir "$work/config"
cp examples/demo/*.tf examples/demo/*.csv "$work/config/"
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
export TENCENTIM_SDKAPPID=1400000000 TENCENTIM_SECRET_KEY=emulator-secret-key TENCENTIM_ENDPOINT="$endpoint"
cd "$work/config"
echo "==> using $("$cli" version | head -n1)"

# No `init`: with dev_overrides both CLIs load the provider from the build
# directory, and init would only try (and fail, offline) to reach a registry.
echo "==> $cli apply"
"$cli" apply -auto-approve -input=false -compact-warnings

echo "==> accounts, groups and membership the emulator now holds"
"$work/tencentim-emulator" -show "$endpoint"

echo
echo "==> second plan"
set +e
"$cli" plan -input=false -detailed-exitcode -compact-warnings
plan_status=$?
set -e
if [ $plan_status -ne 0 ]; then
  echo "FAIL: the second plan is not empty (exit $plan_status)"
  exit 1
fi
echo "==> demo finished: the second plan shows no changes"
