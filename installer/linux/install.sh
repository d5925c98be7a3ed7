#!/bin/sh
# Installs Passport desk from this unpacked archive, with its menu entry and icon.
#
#   sudo ./install.sh            for every user: /opt/passport-desk, /usr/local/bin,
#                                /usr/share/applications, /usr/share/icons/hicolor
#   ./install.sh --user          for yourself only: ~/.local/opt/passport-desk, ~/.local/bin,
#                                ~/.local/share/applications, ~/.local/share/icons/hicolor
#   ./install.sh --uninstall [--user]
#
# Nothing is downloaded; no Python is needed. The program keeps each user's data (database,
# logs) in ~/.local/share/passport-desk and the database key in ~/.config/passport-desk;
# an uninstall leaves both in place.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
mode=system
action=install
for arg in "$@"; do
  case "$arg" in
    --user) mode=user ;;
    --uninstall) action=uninstall ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

if [ "$mode" = system ]; then
  [ "$(id -u)" -eq 0 ] || { echo "install.sh: run as root (sudo), or use --user" >&2; exit 1; }
  prefix=/opt/passport-desk; bindir=/usr/local/bin; share=/usr/share
else
  prefix="$HOME/.local/opt/passport-desk"; bindir="$HOME/.local/bin"; share="${XDG_DATA_HOME:-$HOME/.local/share}"
fi
apps="$share/applications"; icons="$share/icons/hicolor"

refresh() {
  command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$apps" 2>/dev/null || true
  command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$icons" 2>/dev/null || true
}

if [ "$action" = uninstall ]; then
  rm -rf "$prefix"
  rm -f "$bindir/passport-desk" "$apps/passport-desk.desktop" \
        "$icons/256x256/apps/passport-desk.png" "$icons/48x48/apps/passport-desk.png"
  refresh
  echo "Passport desk removed from $prefix (data in ~/.local/share/passport-desk and the key in ~/.config/passport-desk are kept)."
  exit 0
fi

[ -x "$here/passport-desk" ] && [ -d "$here/_internal" ] || {
  echo "install.sh: run me from the unpacked archive (passport-desk and _internal/ beside me)" >&2; exit 1; }
mkdir -p "$prefix" "$bindir" "$apps" "$icons/256x256/apps" "$icons/48x48/apps"
rm -rf "$prefix.new"
mkdir -p "$prefix.new"
cp -a "$here/passport-desk" "$here/_internal" "$prefix.new/"
cp "$here/passport-desk.png" "$prefix.new/"
rm -rf "$prefix"
mv "$prefix.new" "$prefix"
ln -sf "$prefix/passport-desk" "$bindir/passport-desk"
cp "$here/passport-desk.png" "$icons/256x256/apps/passport-desk.png"
cp "$here/passport-desk-48.png" "$icons/48x48/apps/passport-desk.png"
sed -e "s|^Exec=passport-desk |Exec=$prefix/passport-desk |" \
    -e "s|^TryExec=passport-desk$|TryExec=$prefix/passport-desk|" \
    "$here/passport-desk.desktop" > "$apps/passport-desk.desktop"
chmod 644 "$apps/passport-desk.desktop"
refresh
echo "Passport desk installed in $prefix; start it from the applications menu, or run: $bindir/passport-desk gui"
"$prefix/passport-desk" --version
