#!/usr/bin/env bash
# Build dist/nnstudio_<version>_amd64.deb: the PyInstaller one-folder app under /opt/nnstudio,
# /usr/bin/nnstudio, desktop integration from resources/ and a kernel cache compiled at build time.
#
#   bash packaging/build-deb.sh            # uses the active Python (a venv with `pip install -e ".[test]"`)
#   PYTHON=/path/to/python bash packaging/build-deb.sh
#
# Offline: it uses only what pip and apt installed (PyInstaller, the app's dependencies, dpkg-deb).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PYTHON=${PYTHON:-python}
BUILD=${NNSTUDIO_BUILD_DIR:-$ROOT/build}
COMPRESS=${DEB_COMPRESS:-zstd}  # zstd: fast (dpkg >= 1.21.18); xz: smallest, but ~20 min here; gzip: any dpkg
start=$(date +%s)

VERSION=$("$PYTHON" -c "import runpy; print(runpy.run_path('nnstudio/_version.py')['__version__'])")
ARCH=$(dpkg --print-architecture 2>/dev/null || echo amd64)
DIST=${NNSTUDIO_DIST_DIR:-$ROOT/dist}
DEB="$DIST/nnstudio_${VERSION}_${ARCH}.deb"
echo "building nnstudio $VERSION for $ARCH with $("$PYTHON" -c 'import sys; print(sys.executable)')"

APP="$BUILD/dist/nnstudio"
rm -rf "$BUILD/deb"
if [ "${NNSTUDIO_REUSE_BUNDLE:-0}" = 1 ] && [ -d "$APP/_internal/numba-cache" ]; then
  echo "reusing $APP (NNSTUDIO_REUSE_BUNDLE=1)"
  t_bundle=$(date +%s); t_cache=$t_bundle
else
  # 1. the frozen app (one folder)
  rm -rf "$APP"
  "$PYTHON" -m PyInstaller --noconfirm --log-level WARN --distpath "$BUILD/dist" \
    --workpath "$BUILD/pyinstaller" packaging/nnstudio.spec
  t_bundle=$(date +%s)
  # 2. compile the kernels into the cache shipped inside the bundle (generic x86-64 code, see entry.py)
  env -u NNSTUDIO_CACHE_DIR -u NUMBA_CPU_NAME -u NUMBA_CPU_FEATURES -u PYTHONPATH NNSTUDIO_BUILD_CACHE=1 \
    HOME="$BUILD/home" "$APP/nnstudio"
  t_cache=$(date +%s)
fi

# 3. the package tree
PKG="$BUILD/deb/root"
mkdir -p "$PKG/opt" "$PKG/usr/bin" "$PKG/DEBIAN"
cp -a "$APP" "$PKG/opt/nnstudio"
find "$PKG/opt/nnstudio" -name __pycache__ -prune -exec rm -rf {} +
ln -s /opt/nnstudio/nnstudio "$PKG/usr/bin/nnstudio"
share="$PKG/usr/share"
install -Dm644 resources/nnstudio.desktop "$share/applications/nnstudio.desktop"
install -Dm644 resources/nnstudio-mime.xml "$share/mime/packages/nnstudio.xml"
install -Dm644 resources/org.nnstudio.nnstudio.metainfo.xml "$share/metainfo/org.nnstudio.nnstudio.metainfo.xml"
install -Dm644 nnstudio/resources/icons/nnstudio.svg "$share/icons/hicolor/scalable/apps/nnstudio.svg"
install -Dm644 nnstudio/resources/icons/nnstudio.svg "$share/icons/hicolor/scalable/mimetypes/application-x-nnstudio.svg"
for png in resources/icons/png/nnstudio-*.png; do
  size=${png##*-}; size=${size%.png}
  install -Dm644 "$png" "$share/icons/hicolor/${size}x${size}/apps/nnstudio.png"
  install -Dm644 "$png" "$share/icons/hicolor/${size}x${size}/mimetypes/application-x-nnstudio.png"
done
install -Dm644 packaging/linux/copyright "$share/doc/nnstudio/copyright"

# Qt's xcb platform and the bundled Qt libraries need these from Debian (the PySide6 wheel ships Qt itself);
# update-mime-database, update-desktop-database and the icon cache run from their packages' dpkg triggers.
DEPENDS="libc6 (>= 2.28), libstdc++6, zlib1g, libglib2.0-0, libdbus-1-3, libfontconfig1, libfreetype6, \
libx11-6, libx11-xcb1, libxcb1, libxcb-cursor0, libxcb-icccm4, libxcb-image0, libxcb-keysyms1, libxcb-randr0, \
libxcb-render0, libxcb-render-util0, libxcb-shape0, libxcb-shm0, libxcb-sync1, libxcb-xfixes0, libxcb-xinerama0, \
libxcb-xkb1, libxkbcommon0, libxkbcommon-x11-0, libegl1, libgl1, libopengl0"
SIZE_KB=$(du -sk --exclude=DEBIAN "$PKG" | cut -f1)
cat > "$PKG/DEBIAN/control" <<EOF
Package: nnstudio
Version: $VERSION
Architecture: $ARCH
Maintainer: nnstudio developers <nnstudio@example.org>
Installed-Size: $SIZE_KB
Depends: $DEPENDS
Recommends: shared-mime-info, desktop-file-utils, hicolor-icon-theme
Section: science
Priority: optional
Homepage: https://example.org/nnstudio
Description: build neural networks on a node canvas and watch them learn
 nnstudio is a desktop app where you drag neurons and layers onto a node canvas,
 wire them, press Train and watch the network learn: loss curves, weights,
 activations and decision surfaces update live. The engine is compiled with
 Numba; its kernels come precompiled, so the first Train starts at once.
 Every command of the command line (nnstudio train, validate, runs, bench)
 also runs without a display.
EOF

mkdir -p "$DIST"
rm -f "$DEB"
dpkg-deb --root-owner-group -Z"$COMPRESS" --build "$PKG" "$DEB" >/dev/null
end=$(date +%s)
echo "built $DEB"
echo "  .deb size       $(( $(stat -c %s "$DEB") / 1024 / 1024 )) MiB"
echo "  installed size  $(( SIZE_KB / 1024 )) MiB"
echo "  time            bundle $(( t_bundle - start )) s, kernels $(( t_cache - t_bundle )) s," \
     "package $(( end - t_cache )) s, total $(( end - start )) s"
