#!/usr/bin/env bash
# Regenerates docs/ with tfplugindocs (pinned in tools/go.mod), offline.
# The provider schema comes from whichever CLI is available (terraform on
# PATH, else OpenTofu via ensure-tofu.sh) and is handed to tfplugindocs with
# --providers-schema, so the output does not depend on which CLI made it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
cli=$(command -v terraform || true)
host=registry.terraform.io
if [ -z "$cli" ]; then
  cli=$(tools/ensure-tofu.sh)
  host=registry.opentofu.org
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
platform="$(go env GOOS)_$(go env GOARCH)"
plugin="$work/plugins/$host/hashicorp/tencentim/0.0.1/$platform"
mkdir -p "$plugin"
go build -o "$plugin/terraform-provider-tencentim_v0.0.1" .
cat > "$work/main.tf" <<'HCL'
terraform {
  required_providers {
    tencentim = { source = "hashicorp/tencentim" }
  }
}
HCL
: > "$work/empty.tfrc"
(
  cd "$work"
  export TF_CLI_CONFIG_FILE="$work/empty.tfrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
  "$cli" init -backend=false -input=false -plugin-dir="$work/plugins" >/dev/null
  "$cli" providers schema -json > "$work/raw.json"
)
# tfplugindocs looks the schema up by the provider's short name.
sed "s#\"$host/hashicorp/tencentim\"#\"tencentim\"#" "$work/raw.json" > "$work/schema.json"
(cd tools && go tool tfplugindocs generate \
  --provider-dir "$root" \
  --provider-name tencentim \
  --providers-schema "$work/schema.json")
