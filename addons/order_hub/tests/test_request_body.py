import io

from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from odoo.tests import BaseCase, tagged

from ..controllers.request_body import body_too_large, read_body


def _request(body, declared=True):
    """A real WSGI request posting ``body``; ``declared=False`` sends it like a
    chunked request (no Content-Length, the server marks the input terminated)."""
    builder = EnvironBuilder(method="POST", path="/order_hub/test", data=body)
    environ = builder.get_environ()
    if not declared:
        del environ["CONTENT_LENGTH"]
        environ["wsgi.input"] = io.BytesIO(body)
        environ["wsgi.input_terminated"] = True
    return Request(environ)


@tagged("post_install", "-at_install")
class TestRequestBody(BaseCase):
    def test_body_within_the_limit_is_read(self):
        self.assertFalse(body_too_large(_request(b"x" * 10), 10))
        self.assertEqual(read_body(_request(b"x" * 10), 10), b"x" * 10)
        self.assertEqual(read_body(_request(b""), 10), b"")

    def test_declared_length_over_the_limit_is_refused_before_reading(self):
        request = _request(b"x" * 11)
        self.assertTrue(body_too_large(request, 10))
        self.assertIsNone(read_body(request, 10))
        self.assertEqual(request.stream.read(), b"x" * 11, "the body was not read")

    def test_undeclared_body_over_the_limit_is_refused_after_reading(self):
        self.assertFalse(body_too_large(_request(b"x" * 11, declared=False), 10))
        self.assertIsNone(read_body(_request(b"x" * 11, declared=False), 10))
        self.assertEqual(read_body(_request(b"x" * 10, declared=False), 10), b"x" * 10)
