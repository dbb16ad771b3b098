"""Keep the XML-RPC/JSON-RPC caller's address visible to the audit trail.

``odoo.http.dispatch_rpc`` hides the request (``borrow_request``) while an
external RPC call runs, so ``odoo.http.request`` is unbound there. This wrapper
keeps the caller's address on the thread for exactly that time; the audit log
(``order.hub.audit.log._detect_source``) reads it to record ``rpc`` and the IP.
"""

import contextlib
import threading

from odoo import http

THREAD_ATTRIBUTE = "order_hub_rpc_address"
_borrow_request = http.borrow_request


@contextlib.contextmanager
def _borrow_request_keeping_address():
    with _borrow_request() as req:
        thread = threading.current_thread()
        previous = getattr(thread, THREAD_ATTRIBUTE, None)
        setattr(thread, THREAD_ATTRIBUTE, req.httprequest.remote_addr if req else "")
        try:
            yield req
        finally:
            setattr(thread, THREAD_ATTRIBUTE, previous)


if not getattr(http.borrow_request, "_order_hub", False):
    _borrow_request_keeping_address._order_hub = True
    http.borrow_request = _borrow_request_keeping_address


def current_rpc_address():
    """The RPC caller's address while an RPC call runs, else None."""
    return getattr(threading.current_thread(), THREAD_ATTRIBUTE, None)
