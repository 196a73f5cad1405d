#!/usr/bin/env bash
# Runs golangci-lint with .golangci.yml. golangci-lint is built from the Go
# module proxy (the first run takes about 1.5 minutes; Go's build cache makes
# later runs fast). Extra arguments are passed to `golangci-lint run`.
set -euo pipefail
cd "$(dirname "$0")/.."
go run github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0 run "$@" ./...
