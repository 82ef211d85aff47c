#!/bin/sh
# The shared libraries Qt loads at run time, installed when missing (needs
# root and Debian's apt; otherwise it only says what to install).
#  - offscreen (tests, --screenshot): required, a failure stops the set-up;
#  - xcb (a real window on X11): best effort, so a machine without a display
#    never fails here.
offscreen="libEGL.so.1:libegl1 libGL.so.1:libgl1 libxkbcommon.so.0:libxkbcommon0
  libfontconfig.so.1:libfontconfig1 libdbus-1.so.3:libdbus-1-3 libglib-2.0.so.0:libglib2.0-0
  libcairo.so.2:libcairo2"
xcb="libxcb-icccm.so.4:libxcb-icccm4 libxcb-keysyms.so.1:libxcb-keysyms1
  libxcb-cursor.so.0:libxcb-cursor0 libxkbcommon-x11.so.0:libxkbcommon-x11-0
  libxcb-xinerama.so.0:libxcb-xinerama0 libxcb-randr.so.0:libxcb-randr0
  libxcb-render-util.so.0:libxcb-render-util0 libxcb-image.so.0:libxcb-image0
  libxcb-shape.so.0:libxcb-shape0"

missing() {  # the Debian packages whose library is not installed
  for pair in $1; do
    ldconfig -p 2>/dev/null | grep -q "${pair%%:*}" || printf '%s ' "${pair#*:}"
  done
}

install() {  # install Debian packages $1; returns non-zero on failure
  [ -z "$1" ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing Qt's system libraries: $1"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $1 >/dev/null; }
  else
    echo "Qt needs these system packages (Debian names): $1"
    return 1
  fi
}

need=$(missing "$offscreen")
install "$need" || { [ -n "$need" ] && exit 1; }
want=$(missing "$xcb")
install "$want" || echo "(a real window may not open until they are installed; tests do not need them)"
exit 0
