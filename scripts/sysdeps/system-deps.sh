#!/usr/bin/env bash
# Installs the Debian packages Tessera needs when any is missing.
# Idempotent and quiet when everything is present; a clear message when it cannot install.
set -euo pipefail

PACKAGES=(pcscd libpcsclite-dev vsmartcard-vpcd socat postgresql chromium zbar-tools poppler-utils)

# Not a Debian-family host (macOS has PC/SC built in; other distributions have
# their own package names): say what is needed and leave it to the operator.
if ! command -v dpkg-query >/dev/null 2>&1; then
  [ -n "${TESSERA_SYSDEPS_QUIET:-}" ] || echo "tessera: SYSDEPS_NOT_DEBIAN: not a Debian-family host; make sure PC/SC (pcsclite headers), vpcd, socat, PostgreSQL, chromium, zbar (zbarimg) and poppler (pdftoppm, pdftotext) are installed" >&2
  exit 0
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "tessera: SYSDEPS_NO_APT: missing system packages (${missing[*]}) and apt-get is not available; install them with your package manager" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    echo "tessera: SYSDEPS_NOT_ROOT: missing system packages (${missing[*]}); run as root or: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

echo "tessera: installing system packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
# Tests and the demo start pcscd and postgres themselves on private ports and sockets.
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "tessera: system packages installed" >&2
