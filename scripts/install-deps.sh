#!/usr/bin/env bash
# Installs the Debian packages the gateway needs to build, run and test, only those missing.
# Safe to run again. Needs root (or sudo) for apt-get.
set -euo pipefail

packages=(
  pkg-config        # -sys crates find system libraries
  libxml2-dev       # XML canonicalization and schemas (libxml crate)
  libxmlsec1-dev    # XML signatures (xmlsec crate)
  libssl-dev        # openssl crate: RSA-OAEP, X25519, HKDF, AES key wrap for AS4
  libclang-dev      # bindgen, for the two crates above
  xmlsec1           # independent signature checks in tests
  libxml2-utils     # xmllint: XSD checks of the codec's output
  openssl           # independent certificate checks in tests
  python3-venv      # the test peers of ../shared/peers
  postgresql        # the scale-out database; tests run against a real server
  postgresql-client
  jq                # the README tour reads JSON answers
  poppler-utils     # pdftoppm: renders PDF pages for OCR (gateway extract)
  tesseract-ocr     # OCR engine for scans and photos (gateway extract)
  tesseract-ocr-eng
  tesseract-ocr-deu
  tesseract-ocr-fra
  tesseract-ocr-ron
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

command -v cargo >/dev/null || { echo "error: cargo not found: install Rust (rustup) first" >&2; exit 2; }
