#!/usr/bin/env bash
# Install the Debian packages listed in deploy/system-deps/*.txt that are not installed yet.
# Usage: install-system-deps.sh [FEATURE ...]   (e.g. `kafka`; no argument: every list)
# Idempotent and quiet when nothing is missing; needs root (CI and these machines run as root).
set -Eeuo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
lists=()
if (($#)); then
  for feature in "$@"; do lists+=("$here/system-deps/$feature.txt"); done
else
  lists=("$here"/system-deps/*.txt)
fi
missing=()
while read -r pkg; do
  [[ -z "$pkg" ]] && continue
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "${lists[@]}" | sort -u)
if ((${#missing[@]} == 0)); then
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "install-system-deps: missing ${missing[*]}; run as root or install them" >&2
  exit 1
fi
echo "install-system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
