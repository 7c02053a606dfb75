"""The ``floorcast`` console script.

gevent's monkey patching must happen before anything imports sockets, threads or
subprocess, so it is the very first thing here; every command then runs
cooperatively (``serve`` and ``worker`` need it, the others do not mind).
"""

from gevent import monkey

monkey.patch_all()

import sys  # noqa: E402


def main() -> None:
    from core.cli.main import build_cli

    build_cli(sys.argv[1:])(prog_name="floorcast")


if __name__ == "__main__":
    main()
