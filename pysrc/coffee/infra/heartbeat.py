"""The draining switch of the originals: `GET /heartbeat/` says whether a node takes traffic.

200 while beating, 410 while not; `PUT /heartbeat/?beat=true|false` flips it and any other
value is 400. A node starts in the state its settings give (the originals: not beating), and
`coffee up` turns it on when the node is ready.
"""

from __future__ import annotations

from urllib.parse import parse_qs


class Heartbeat:
    __slots__ = ("beating",)

    def __init__(self, beating: bool = False) -> None:
        self.beating = beating

    def handle(self, method: str, query: str) -> tuple[int, bytes]:
        """(status, JSON body) for a heartbeat request."""
        if method in ("GET", "HEAD"):
            return (200, b'{"beat":true}') if self.beating else (410, b'{"beat":false}')
        if method != "PUT":
            return 405, b'{"error":"use GET or PUT"}'
        values = parse_qs(query).get("beat", [])
        if values == ["true"]:
            self.beating = True
        elif values == ["false"]:
            self.beating = False
        else:
            return 400, b'{"error":"beat must be true or false"}'
        return 200, b'{"beat":%s}' % (b"true" if self.beating else b"false")
