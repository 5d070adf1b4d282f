#!/bin/sh
# Copies the protocol and its vectors from the shared specification into this
# repository, byte for byte, and records their SHA-256 in docs/SHA256SUMS:
#   ../shared/PROTOCOL.md, PROTOCOL-threshold.md  ->  docs/
#   ../shared/vectors/                            ->  tests/vectors/
# Run it from the project's root (make sync-protocol) when the specification
# changes; tests/integration/test_packaging.py checks the copies against
# docs/SHA256SUMS always, and against ../shared whenever it is there.
#   SHARED  the specification's directory (default ../shared)
set -eu
SHARED=${SHARED:-../shared}
[ -f "$SHARED/PROTOCOL.md" ] || { echo "sync-protocol: no $SHARED/PROTOCOL.md" >&2; exit 1; }
mkdir -p docs
cp "$SHARED/PROTOCOL.md" "$SHARED/PROTOCOL-threshold.md" docs/
rm -rf tests/vectors
cp -R "$SHARED/vectors" tests/vectors
chmod -R u+w,go-w tests/vectors
{ echo docs/PROTOCOL.md; echo docs/PROTOCOL-threshold.md; find tests/vectors -type f; } |
    LC_ALL=C sort | xargs sha256sum > docs/SHA256SUMS
echo "sync-protocol: copied from $SHARED; docs/SHA256SUMS lists $(wc -l < docs/SHA256SUMS) files"
