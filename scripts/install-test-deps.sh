#!/usr/bin/env bash
# Install what the tests and benchmarks need on a fresh machine: the package with its
# test extras, Debian's chromium, a Java runtime and nginx, axe-core, and the pinned Decap CMS,
# its local proxy and pa11y (package.json) for the CMS's and accessibility tests. Safe to
# run again.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install --quiet --disable-pip-version-check -e ".[test]"
# Debian packages: chromium for the browser tests (Playwright's own browser download is
# not used), a Java runtime for the Nu HTML Checker, nginx for the cache headers' recipe
# (tests/test_cache_headers.py; in /usr/sbin, outside a user's PATH).
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing="$missing nginx-light"
command -v java >/dev/null 2>&1 || missing="$missing default-jre-headless"
if [ -n "$missing" ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
fi
# axe-core (accessibility rules) from the npm registry, for the browser tests.
AXE_VERSION=4.14.1
axe_dir=tests/browser/.axe
if [ ! -f "$axe_dir/axe-$AXE_VERSION.min.js" ]; then
  mkdir -p "$axe_dir"
  tarball=$(cd "$axe_dir" && npm pack --silent "axe-core@$AXE_VERSION")
  tar -xzf "$axe_dir/$tarball" -C "$axe_dir" package/axe.min.js
  mv "$axe_dir/package/axe.min.js" "$axe_dir/axe-$AXE_VERSION.min.js"
  rm -rf "$axe_dir/package" "$axe_dir/$tarball"
fi
# Decap CMS and decap-server, and pa11y, exactly as package-lock.json pins them. pa11y
# drives Debian's chromium: puppeteer's own browser download is skipped.
if [ ! -x node_modules/.bin/decap-server ] || [ ! -x node_modules/.bin/pa11y ]; then
  PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
fi
