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
#
# A system install is owned by root and writable by nobody else, whoever unpacked the
# archive (the files are copied, not moved with their owner, then chown -R root:root and
# chmod -R go-w), and the installed program is never run as root.
# PASSPORT_DESK_INSTALL_ROOT=/some/dir puts the system paths under that folder (packaging, tests).
set -eu
umask 022
here=$(cd "$(dirname "$0")" && pwd)
mode=system
action=install
for arg in "$@"; do
  case "$arg" in
    --user) mode=user ;;
    --uninstall) action=uninstall ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

if [ "$mode" = system ]; then
  [ "$(id -u)" -eq 0 ] || { echo "install.sh: run as root (sudo), or use --user" >&2; exit 1; }
  root="${PASSPORT_DESK_INSTALL_ROOT:-}"
  prefix="$root/opt/passport-desk"; bindir="$root/usr/local/bin"; share="$root/usr/share"
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
mkdir -p "$(dirname "$prefix")" "$bindir" "$apps" "$icons/256x256/apps" "$icons/48x48/apps"
rm -rf "$prefix.new"
mkdir -m 755 "$prefix.new"
# Copy, never preserve: `cp -a` as root would keep the owner of whoever unpacked the archive,
# and that user could then replace the program every operator starts. Symlinks are copied
# as links (-P) and never followed.
cp -R -P "$here/passport-desk" "$here/_internal" "$here/passport-desk.png" "$prefix.new/"
if [ "$mode" = system ]; then
  chown -R -h root:root "$prefix.new"
fi
chmod -R u+rwX,go+rX,go-w "$prefix.new"
# No set-uid or set-gid file comes in from an archive.
find "$prefix.new" -type f \( -perm -4000 -o -perm -2000 \) -exec chmod ug-s {} +
rm -rf "$prefix"
mv "$prefix.new" "$prefix"
ln -sfn "$prefix/passport-desk" "$bindir/passport-desk"
install -m 644 "$here/passport-desk.png" "$icons/256x256/apps/passport-desk.png"
install -m 644 "$here/passport-desk-48.png" "$icons/48x48/apps/passport-desk.png"
sed -e "s|^Exec=passport-desk |Exec=$prefix/passport-desk |" \
    -e "s|^TryExec=passport-desk$|TryExec=$prefix/passport-desk|" \
    "$here/passport-desk.desktop" > "$apps/passport-desk.desktop.new"
chmod 644 "$apps/passport-desk.desktop.new"
mv "$apps/passport-desk.desktop.new" "$apps/passport-desk.desktop"
refresh
echo "Passport desk installed in $prefix; start it from the applications menu, or run: $bindir/passport-desk gui"
if [ "$mode" = user ]; then
  "$prefix/passport-desk" --version
fi  # a system install never runs the program as root: check it with `passport-desk --version` as a user
