"""Size limit of the bodies that platforms and carriers post to public routes.

Shared by the channels webhook and the carriers' tracking callbacks: a route
answers 413 (in its own format) before anything is parsed or stored when the
body is larger than its limit.
"""


def body_too_large(httprequest, limit):
    """True when the declared ``Content-Length`` of the request exceeds ``limit`` bytes."""
    return (httprequest.content_length or 0) > limit


def read_body(httprequest, limit):
    """The raw body of ``httprequest``, or None when it is larger than ``limit`` bytes.

    The declared length is checked before reading; the body read is checked
    again, as a chunked request declares none.
    """
    if body_too_large(httprequest, limit):
        return None
    body = httprequest.get_data(cache=False)
    if len(body) > limit:
        return None
    return body
