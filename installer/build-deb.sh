#!/usr/bin/env bash
# `make dist-hub`: the hub as a Debian package, dist/linkage-hub_VERSION_ARCH.deb
# (docs/deploy.md). It bundles a venv of the system's Python 3.11 holding the hub's
# dependencies (installer/hub-requirements.txt, from PyPI), the code and the rule data, the
# systemd unit and a default /etc/linkage/hub.toml; the service runs as the system user
# `linkage`, made by the package's postinst.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${DEB_PYTHON:-/usr/bin/python3.11}
# pip (22.3 or newer) installing into the bundled venv: the development venv's, or the system's.
PIP=${PIP:-$PYTHON -m pip}
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml | head -1)
REVISION=${DEB_REVISION:-1}
ARCH=$(dpkg --print-architecture)
OUT=${DIST:-dist}
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
LIB=$STAGE/usr/lib/linkage-hub
DOC=$STAGE/usr/share/doc/linkage-hub

"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "the package is built for Python 3.11, this is " + sys.version.split()[0])'
echo "dist-hub: a venv of $PYTHON with the hub's dependencies"
"$PYTHON" -m venv --without-pip "$LIB/venv"
$PIP --python "$LIB/venv/bin/python" install -q --no-compile \
    --disable-pip-version-check --only-binary=:all: -r installer/hub-requirements.txt \
  || { # an older pip without --python: the venv's own
       "$PYTHON" -m venv "$LIB/venv" &&
       "$LIB/venv/bin/python" -m pip install -q --no-compile --disable-pip-version-check \
           --only-binary=:all: -r installer/hub-requirements.txt &&
       "$LIB/venv/bin/python" -m pip uninstall -q -y pip setuptools; }
# What names the build directory goes: the venv's scripts (their #! lines), its own notes.
find "$LIB/venv/bin" -mindepth 1 ! -name 'python*' -delete
sed -i '/^command = /d;/^executable = /d' "$LIB/venv/pyvenv.cfg"
ln -sfn "$PYTHON" "$LIB/venv/bin/python"
ln -sfn python "$LIB/venv/bin/python3"
ln -sfn python "$LIB/venv/bin/python3.11"
# Python's compiled modules lose their symbols. The libraries the wheels carry (in *.libs/)
# stay as auditwheel patched them: strip breaks those (numpy's OpenBLAS no longer loads).
# Byte-code is compiled at install, not shipped.
find "$LIB/venv" -name '*.so' -type f ! -path '*.libs/*' -exec strip --strip-unneeded {} +
find "$LIB/venv" -name '*.so*' -type f -exec chmod 0644 {} +
# A search path a wheel's build machine left in a module (/usr/local/lib64): not here.
find "$LIB/venv" -name '*.so*' -type f | while read -r module; do
    if readelf -d "$module" 2>/dev/null | grep -Eq 'R(UN)?PATH.*\[/usr/local'; then
        patchelf --remove-rpath "$module"
    fi
done
find "$LIB/venv" -name '__pycache__' -type d -prune -exec rm -rf {} +
find "$LIB/venv" \( -name '*.pyc' -o -name '*.pyi' -o -name 'py.typed' \) -delete

echo "dist-hub: the code and the rule data"
mkdir -p "$LIB/app"
cp main.py "$LIB/app/"
# The code as git holds it (no caches, no stray files); console/resources/ too where it is.
git ls-files -z console resources | tar --null -T - -cf - | tar -xf - -C "$LIB/app"
find "$LIB/app" -name '__pycache__' -type d -prune -exec rm -rf {} +

install -D -m 0644 installer/linkage-hub.service "$STAGE/lib/systemd/system/linkage-hub.service"
install -D -m 0644 installer/hub.toml "$STAGE/etc/linkage/hub.toml"
install -D -m 0755 installer/debian/linkage "$STAGE/usr/bin/linkage"
install -D -m 0644 docs/deploy.md "$DOC/deploy.md"
install -D -m 0644 installer/debian/copyright "$DOC/copyright"
gzip -9n -c installer/debian/changelog > "$DOC/changelog.Debian.gz"
chmod 0644 "$DOC/changelog.Debian.gz"
install -D -m 0644 installer/debian/lintian-overrides \
    "$STAGE/usr/share/lintian/overrides/linkage-hub"

mkdir -p "$STAGE/DEBIAN"
SIZE=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
sed -e "s/@VERSION@/$VERSION-$REVISION/" -e "s/@ARCH@/$ARCH/" -e "s/@SIZE@/$SIZE/" \
    installer/debian/control > "$STAGE/DEBIAN/control"
echo /etc/linkage/hub.toml > "$STAGE/DEBIAN/conffiles"
for script in postinst prerm postrm; do
    install -m 0755 "installer/debian/$script" "$STAGE/DEBIAN/$script"
done
find "$STAGE" -type d -exec chmod 0755 {} +
find "$STAGE/usr/lib/linkage-hub" -type f -exec chmod u+rw,go+r,go-w {} +
find "$STAGE/usr/lib/linkage-hub/app" -type f -exec chmod 0644 {} +

mkdir -p "$OUT"
DEB="$OUT/linkage-hub_${VERSION}-${REVISION}_${ARCH}.deb"
dpkg-deb --root-owner-group -Zgzip --build "$STAGE" "$DEB" >/dev/null
echo "$DEB"
