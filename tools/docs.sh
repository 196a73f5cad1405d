#!/usr/bin/env bash
# Regenerates docs/ with tfplugindocs (pinned in tools/go.mod), offline.
# The provider schema comes from a Terraform that reports list resources and
# resource identities (≥ 1.14; older CLIs and OpenTofu leave them out of
# `providers schema -json`): TF_DOCS_CLI, else Terraform v1.15.9 built by
# the script `make testacc-terraform-latest` uses. It is handed to
# tfplugindocs with --providers-schema.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
cli=${TF_DOCS_CLI:-}
if [ -z "$cli" ]; then
  build=${TF_LATEST_BUILD:-$root/../shared/tools/terraform/build.sh}
  if [ ! -x "$build" ]; then
    echo "docs.sh: no Terraform ≥ 1.14 to read the schema with: set TF_DOCS_CLI to one, or TF_LATEST_BUILD to a script that prints its path (no build script at $build)" >&2
    exit 1
  fi
  cli=$("$build")
fi
host=registry.terraform.io
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
