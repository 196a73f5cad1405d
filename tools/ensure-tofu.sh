#!/usr/bin/env bash
# Prints the absolute path of an OpenTofu binary: `tofu` on PATH, else
# bin/tofu in this repo, built from the Go module proxy the first time
# (about 5 minutes on 2 cores; Go's build cache makes later builds fast).
set -euo pipefail
version=v1.12.6
root=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${TENCENTIM_BUILD_TOFU:-}" ] && command -v tofu >/dev/null 2>&1; then
  command -v tofu
  exit 0
fi
bin="$root/bin/tofu"
if [ ! -x "$bin" ] || ! "$bin" version 2>/dev/null | grep -q "${version#v}"; then
  echo "building OpenTofu $version into bin/ (first time: about 5 minutes)..." >&2
  dir=$(cd "$root" && GOFLAGS=-mod=mod go mod download -json "github.com/opentofu/opentofu@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -n "$dir" ] || { echo "could not download github.com/opentofu/opentofu@$version from the Go module proxy" >&2; exit 1; }
  mkdir -p "$root/bin"
  (cd "$dir" && GOFLAGS= go build -ldflags "-X github.com/opentofu/opentofu/version.dev=no" -o "$bin.tmp" ./cmd/tofu)
  mv "$bin.tmp" "$bin"
fi
echo "$bin"
