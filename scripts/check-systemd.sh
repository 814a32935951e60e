#!/usr/bin/env bash
# Checks systemd/affordd.service: `systemd-analyze verify` must print nothing on
# stderr (any warning fails, not only a bad exit code), and the offline security
# exposure must be <= 2.0, which is printed.
#
# verify needs ExecStart's binary to exist, so a copy of the unit is checked with
# ExecStart pointing at the built binary: $AFFORDD_BIN, else .build/release or
# .build/debug. Everything else in the unit is checked as shipped.
set -euo pipefail
cd "$(dirname "$0")/.."

unit=systemd/affordd.service
max_exposure=2.0

command -v systemd-analyze >/dev/null || { echo "check-systemd: systemd-analyze missing (make setup installs systemd)" >&2; exit 1; }

binary=${AFFORDD_BIN:-}
if [ -z "$binary" ]; then
    for candidate in .build/release/affordd .build/debug/affordd; do
        if [ -x "$candidate" ]; then binary=$PWD/$candidate; break; fi
    done
fi
[ -n "$binary" ] && [ -x "$binary" ] || { echo "check-systemd: no affordd binary; run 'swift build' first or set AFFORDD_BIN" >&2; exit 1; }

work=$(mktemp -d /tmp/affordd-systemd.XXXXXX)
trap 'rm -rf "$work"' EXIT
grep -q '^ExecStart=/usr/local/bin/affordd ' "$unit" || { echo "check-systemd: unexpected ExecStart in $unit" >&2; exit 1; }
sed "s|^ExecStart=/usr/local/bin/affordd |ExecStart=$binary |" "$unit" > "$work/affordd.service"

# systemd-analyze looks up units relative to the working directory too; run it in the scratch dir.
if ! (cd "$work" && systemd-analyze verify ./affordd.service) 2> "$work/verify.err" > "$work/verify.out"; then
    echo "check-systemd: systemd-analyze verify failed:" >&2
    cat "$work/verify.out" "$work/verify.err" >&2
    exit 1
fi
if [ -s "$work/verify.err" ]; then
    echo "check-systemd: systemd-analyze verify warned:" >&2
    cat "$work/verify.err" >&2
    exit 1
fi
echo "check-systemd: systemd-analyze verify: clean"

(cd "$work" && systemd-analyze security --offline=yes ./affordd.service) > "$work/security.out" 2> "$work/security.err" || true
exposure=$(sed -n 's/.*Overall exposure level for affordd.service: \([0-9.]*\).*/\1/p' "$work/security.out")
if [ -z "$exposure" ]; then
    echo "check-systemd: no exposure score from systemd-analyze security:" >&2
    cat "$work/security.out" "$work/security.err" >&2
    exit 1
fi
grep '✗' "$work/security.out" | sed 's/  */ /g; s/^/  /' || true
echo "check-systemd: exposure $exposure (limit $max_exposure)"
awk -v e="$exposure" -v m="$max_exposure" 'BEGIN { exit !(e <= m) }' || { echo "check-systemd: exposure above $max_exposure" >&2; exit 1; }
