#!/usr/bin/env bash
# Builds the Linux release of Passport desk: a one-folder PyInstaller build packed as a
# .tar.gz with a .desktop entry, an icon and an install script; optionally checks it.
#
#   scripts/build_installer.sh [--check] [--no-cache] [--no-setup]
#
#   --check      then run installer/check_bundle.py on the archive: self-test, scan --json
#                on a generated document and the window under Xvfb, each with networking
#                disabled and no Python environment (writes dist/checks/).
#   --no-cache   rebuild even if a build of the same sources is cached.
#   --no-setup   skip scripts/setup.sh (the venv is known to be ready).
#
# Output (dist/ holds links into the cache):
#   dist/passport-desk/                                 the one-folder build
#   dist/passport-desk-VERSION-linux-x86_64.tar.gz     what operators get
#   dist/build-info.json                                hash, build time, sizes
#
# Cache: builds are kept by a hash of everything that goes into them (the sources,
# resources, the spec, this script, the lock files, pyproject.toml, the Python
# version) in ${PASSPORT_DESK_BUILD_CACHE:-~/.cache/passport-desk/installer}/HASH/, the
# newest two only. A second run on the same sources (CI re-runs, the test after a manual
# build) reuses the build instead of spending minutes on it.
#
# The Windows installer is built on Windows: see installer/passport-desk.iss and README.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

check=0; use_cache=1; setup=1
for arg in "$@"; do
  case "$arg" in
    --check) check=1 ;;
    --no-cache) use_cache=0 ;;
    --no-setup) setup=0 ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "build_installer.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

[ "$setup" -eq 1 ] && scripts/setup.sh
PY=.venv/bin/python
[ -x .venv/bin/pyinstaller ] || { echo "build_installer.sh: pyinstaller missing from .venv (requirements-dev.lock)" >&2; exit 1; }

version=$($PY -c 'import desktop_app; print(desktop_app.__version__)')
arch=$(uname -m)
name="passport-desk-$version-linux-$arch"

# -- the hash of the inputs ----------------------------------------------------------------
inputs_hash() {
  {
    find desktop_app resources installer/linux -type f \
      ! -path '*/__pycache__/*' ! -name '*.pyc' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
    sha256sum build_installer.spec requirements.lock requirements-dev.lock pyproject.toml scripts/build_installer.sh
    "$PY" -VV
    echo "$arch"
  } | sha256sum | cut -c1-16
}
hash=$(inputs_hash)
cache_root=${PASSPORT_DESK_BUILD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/passport-desk/installer}
entry="$cache_root/$hash"
mkdir -p "$cache_root"
# One build at a time per cache (a developer's run and a test run may overlap).
exec 9>"$cache_root/.lock"
flock 9

if [ "$use_cache" -eq 1 ] && [ -f "$entry/build-info.json" ] && [ -x "$entry/passport-desk/passport-desk" ] \
   && [ -f "$entry/$name.tar.gz" ]; then
  echo "== build_installer: reusing the build of these sources ($entry)"
else
  rm -rf "$entry" "$entry.tmp"
  mkdir -p "$entry.tmp"
  echo "== build_installer: PyInstaller one-folder build (inputs $hash)"
  t0=$(date +%s.%N)
  # A fresh work folder each time (so no stale analysis) without --clean, which would
  # also empty PyInstaller's cache of stripped libraries. No UPX (upx=False in the spec).
  .venv/bin/pyinstaller --noconfirm --log-level WARN \
    --distpath "$entry.tmp/dist" --workpath "$entry.tmp/work" build_installer.spec
  t1=$(date +%s.%N)
  mv "$entry.tmp/dist/passport-desk" "$entry.tmp/passport-desk"
  rm -rf "$entry.tmp/dist" "$entry.tmp/work"

  echo "== build_installer: packing $name.tar.gz"
  stage="$entry.tmp/stage/passport-desk"
  mkdir -p "$stage"
  # The archive unpacks to passport-desk/: the program, _internal/, the menu entry, the
  # icon, the install script. Hard links: nothing is copied on disk.
  cp -al "$entry.tmp/passport-desk/." "$stage/"
  cp installer/linux/passport-desk.desktop installer/linux/install.sh installer/linux/INSTALL.txt "$stage/"
  cp resources/icons/passport-desk.png resources/icons/passport-desk-48.png "$stage/"
  chmod 755 "$stage/install.sh"
  if command -v pigz >/dev/null 2>&1; then gz=(pigz -6); else gz=(gzip -6); fi
  tar -C "$entry.tmp/stage" --owner=0 --group=0 --numeric-owner --sort=name -cf - passport-desk \
    | "${gz[@]}" > "$entry.tmp/$name.tar.gz"
  rm -rf "$entry.tmp/stage"
  t2=$(date +%s.%N)

  folder_bytes=$(du -sb "$entry.tmp/passport-desk" | cut -f1)
  archive_bytes=$(stat -c %s "$entry.tmp/$name.tar.gz")
  "$PY" - "$entry.tmp/build-info.json" <<EOF
import json, sys
info = {
    "version": "$version", "inputs_hash": "$hash", "archive": "$name.tar.gz",
    "build_s": round($t1 - $t0, 1), "pack_s": round($t2 - $t1, 1),
    "folder_bytes": $folder_bytes, "archive_bytes": $archive_bytes,
    "folder_mb": round($folder_bytes / 1e6, 1), "archive_mb": round($archive_bytes / 1e6, 1),
}
json.dump(info, open(sys.argv[1], "w"), indent=2)
print(json.dumps(info))
EOF
  mv "$entry.tmp" "$entry"
  # Keep the newest two builds only (each is ~1.5 GB with its archive).
  touch "$entry"
  ls -1dt "$cache_root"/*/ 2>/dev/null | tail -n +3 | while read -r old; do
    if [ "${old%/}" != "$entry" ]; then rm -rf "${old%/}"; fi
  done
fi

# -- dist/: links to the cached build -------------------------------------------------------
mkdir -p dist
rm -rf dist/passport-desk dist/passport-desk-*-linux-*.tar.gz dist/build-info.json
ln -s "$entry/passport-desk" dist/passport-desk
ln -s "$entry/$name.tar.gz" "dist/$name.tar.gz"
ln -s "$entry/build-info.json" dist/build-info.json
echo "== build_installer: dist/passport-desk/ and dist/$name.tar.gz"
cat dist/build-info.json; echo

if [ "$check" -eq 1 ]; then
  echo "== build_installer: checking the archive (offline, no Python environment)"
  "$PY" installer/check_bundle.py --archive "dist/$name.tar.gz" --out dist/checks
fi
