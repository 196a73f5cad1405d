#!/usr/bin/env bash
# Validates .goreleaser.yml with `goreleaser check`. goreleaser is built from
# the Go module proxy (the first run takes about 2.5 minutes; Go's build cache
# makes later runs fast). v2.14.3 is the newest release that builds here.
set -euo pipefail
cd "$(dirname "$0")/.."
go run github.com/goreleaser/goreleaser/v2@v2.14.3 check "$@"
