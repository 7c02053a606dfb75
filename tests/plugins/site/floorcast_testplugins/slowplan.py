"""A format whose conversion takes as long as the file says: for crash tests.

File: ``FLOORCAST-SLOWPLAN``, a line with the seconds to take, and optionally a
line saying how to misbehave afterwards: ``hog`` (allocate memory until the limit
stops it) or ``abort`` (die by SIGABRT, as a crashing C extension would).
"""

import os
import time

from shapely.geometry import box

from core.plugin_api import FormatOption, FormatSpec, Mesh, Node, Scene, hookimpl

MAGIC = b"FLOORCAST-SLOWPLAN"
#: an option core knows nothing of: it comes from this declaration alone
SECONDS = FormatOption("seconds", "float", help="seconds to take instead of the file's second line")


def convert(source, options, progress):
    lines = source.read_bytes().splitlines()
    seconds = SECONDS.parse(options.get("seconds"))
    if seconds is None:
        seconds = float(lines[1]) if len(lines) > 1 else 1.0
    steps = max(1, int(seconds * 10))
    for i in range(steps):
        progress("parse", i / steps)
        time.sleep(seconds / steps)
    mode = lines[2].strip() if len(lines) > 2 else b""
    if mode == b"hog":
        hoard = []
        while True:
            hoard.append(bytearray(64 * 1024 * 1024))
    if mode == b"abort":
        os.abort()
    scene = Scene(units="m", scale_to_m=1.0, units_source="file")
    scene.add(Node("wall", "wall", layer="slow", mesh=Mesh.extrude(box(0, 0, 10, 0.2), 0.0, 3.0)))
    return scene


@hookimpl
def floorcast_register_formats():
    return [
        FormatSpec(
            "slowplan",
            (".slow",),
            lambda head: head.startswith(MAGIC),
            convert,
            weight=10,
            version="1",
            options=(SECONDS,),
        )
    ]
