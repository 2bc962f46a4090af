#!/usr/bin/python3
"""A tiny GTK window that offers one file for drag and drop, standing in for
a file manager in the real-window tests: xdotool drags from it to the app.
Usage: drag-source.py FILE X Y"""
import sys

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("Gdk", "3.0")
from gi.repository import Gdk, GLib, Gtk  # noqa: E402

path, x, y = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
uri = GLib.filename_to_uri(path, None)

win = Gtk.Window(title="signet-drag-source")
win.set_decorated(False)
win.set_default_size(160, 80)
win.move(x, y)
box = Gtk.EventBox()
box.add(Gtk.Label(label="drag me"))
win.add(box)
box.drag_source_set(Gdk.ModifierType.BUTTON1_MASK, [], Gdk.DragAction.COPY)
box.drag_source_add_uri_targets()


def on_get(_widget, _context, data, _info, _time):
    data.set_uris([uri])


box.connect("drag-data-get", on_get)
box.connect("drag-end", lambda *_: GLib.timeout_add(500, Gtk.main_quit))
win.connect("destroy", Gtk.main_quit)
win.show_all()
GLib.timeout_add_seconds(60, Gtk.main_quit)
Gtk.main()
