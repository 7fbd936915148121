#!/usr/bin/env bash
# Installs what the studio's browser tests (tests/it/browser.rs) need: Debian's Chromium and
# its WebDriver, chromedriver. Idempotent: does nothing when both are there. The tests run it
# themselves; without root it uses sudo, never prompting (-n) since tests have no terminal.
set -euo pipefail

if [ -x /usr/bin/chromedriver ] && [ -x /usr/bin/chromium ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo -n"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-dejavu-core >/dev/null
/usr/bin/chromedriver --version
