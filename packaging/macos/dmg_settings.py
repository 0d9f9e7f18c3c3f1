"""dmgbuild settings for nnstudio on macOS - UNTESTED (written on Linux, where it cannot run).

    pip install dmgbuild
    dmgbuild -s packaging/macos/dmg_settings.py "nnstudio" dist/nnstudio-<version>.dmg

See packaging/macos/README.md for the whole recipe.
"""
import os.path

application = defines.get("app", "build/dist/nnstudio.app")  # noqa: F821 (dmgbuild defines it)
appname = os.path.basename(application)

format = "UDZO"
files = [application]
symlinks = {"Applications": "/Applications"}
badge_icon = "resources/nnstudio.icns"
icon_locations = {appname: (140, 120), "Applications": (500, 120)}
window_rect = ((100, 100), (640, 280))
default_view = "icon-view"
show_status_bar = False
show_tab_view = False
show_toolbar = False
show_pathbar = False
show_sidebar = False
icon_size = 128
