from . import request_body
