"""The floor under the kiosk fan-out numbers: the same stack as ``floorcast serve``
(gevent pywsgi, Flask, flask-sock) doing nothing but a broadcast loop over its
sockets. ``kiosk_fanout.py --baseline`` measures it with the same client process,
so the appliance's latency can be read as a ratio to it on any machine.

    python benchmarks/bare_broadcast.py PORT

``/kiosk/ws`` answers a ``hello`` with a ``welcome``; ``POST /publish?version=N``
sends one ``publish`` message, of the size the appliance sends, to every socket
from the request's greenlet, and answers when all are written.
"""

from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import sys  # noqa: E402

from flask import Flask, request  # noqa: E402
from flask_sock import Sock  # noqa: E402
from gevent.pywsgi import WSGIServer  # noqa: E402

app = Flask(__name__)
sock = Sock(app)
sockets: set = set()


@sock.route("/kiosk/ws")
def kiosk_ws(ws):
    ws.receive()
    ws.send(json.dumps({"type": "welcome", "data": {}}))
    sockets.add(ws)
    try:
        while ws.receive() is not None:
            pass
    finally:
        sockets.discard(ws)


@app.post("/publish")
def publish():
    version = int(request.args["version"])
    uuid = "00000000-0000-0000-0000-000000000000"
    url = f"/api/v1/assets/{uuid}/content?k={uuid}&e=0&s={'0' * 32}"
    message = json.dumps(
        {
            "type": "publish",
            "id": version,
            "data": {"channel": "bench", "version": version, "url": url, "sha256": "0" * 64, "size": 50000},
        }
    )
    for ws in list(sockets):
        try:
            ws.send(message)
        except Exception:  # a socket closing meanwhile
            sockets.discard(ws)
    return {"version": version, "sent": len(sockets)}


@app.get("/readyz")
def ready():
    return {"status": "ok"}


if __name__ == "__main__":
    WSGIServer(("127.0.0.1", int(sys.argv[1])), app, log=None).serve_forever()
