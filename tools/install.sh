#!/usr/bin/env bash
# make install: builds the provider with its version set and puts it into a
# local filesystem mirror, under both registry hosts that `tencentim/tencentim`
# can mean (Terraform: registry.terraform.io, OpenTofu: registry.opentofu.org):
#
#   $PLUGIN_DIR/<host>/tencentim/tencentim/<version>/<os>_<arch>/terraform-provider-tencentim_v<version>
#
# PLUGIN_DIR defaults to ~/.terraform.d/plugins, which both CLIs search by
# themselves when the CLI configuration has no provider_installation block.
# VERSION defaults to the tag at HEAD (vX.Y.Z), else the version at the top of
# CHANGELOG.md, the release in preparation. Both are release versions, not
# prereleases, because Terraform and OpenTofu select a prerelease only for an
# exact `version = "=X.Y.Z-pre"` constraint, so `init` without a constraint
# would find nothing. GOOS and GOARCH pick another platform, as for go build.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

plugin_dir=${PLUGIN_DIR:-}
if [ -z "$plugin_dir" ]; then
  [ -n "${HOME:-}" ] || { echo "install: HOME is not set; set PLUGIN_DIR" >&2; exit 1; }
  plugin_dir="$HOME/.terraform.d/plugins"
fi

version=${VERSION:-}
from="VERSION"
if [ -z "$version" ] && tag=$(git describe --tags --exact-match --match 'v[0-9]*' 2>/dev/null); then
  version=$tag from="tag $tag"
fi
if [ -z "$version" ]; then
  version=$(sed -n 's/^## \([0-9][0-9.]*[0-9]\)\( .*\)\{0,1\}$/\1/p' CHANGELOG.md 2>/dev/null | head -n1)
  from="CHANGELOG.md"
  [ -n "$version" ] || { echo "install: no tag at HEAD and no '## X.Y.Z' heading in CHANGELOG.md; set VERSION" >&2; exit 1; }
fi
version=${version#v}
# The mirror's directory name must be a version both CLIs parse: semver, with
# an optional prerelease and no build metadata.
if ! [[ $version =~ ^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$ ]]; then
  echo "install: version '$version' ($from) is not a semantic version X.Y.Z or X.Y.Z-pre" >&2
  exit 1
fi

goos=$(go env GOOS) goarch=$(go env GOARCH)
exe=
[ "$goos" != windows ] || exe=.exe
name="terraform-provider-tencentim_v$version$exe"

work=$(mktemp -d "${TMPDIR:-/tmp}/tencentim-install.XXXXXX")
trap 'rm -rf "$work"' EXIT
# The flags goreleaser uses for a release (.goreleaser.yml); main.version is
# what the provider reports as its version.
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=$version" -o "$work/$name" .

echo "installed terraform-provider-tencentim $version ($from) for ${goos}_$goarch:"
for host in registry.terraform.io registry.opentofu.org; do
  dest="$plugin_dir/$host/tencentim/tencentim/$version/${goos}_$goarch"
  mkdir -p "$dest"
  # Copy then rename, so that a CLI reading the mirror never sees half a file.
  cp "$work/$name" "$dest/.$name.tmp"
  mv -f "$dest/.$name.tmp" "$dest/$name"
  echo "  $dest/$name"
done
if [[ $version == *-* ]]; then
  echo "note: $version is a prerelease: only an exact constraint selects it (version = \"$version\")"
fi
