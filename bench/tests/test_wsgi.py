"""bench/wsgi.py: a request handed to a WSGI application in-process as gunicorn hands it over."""

from __future__ import annotations

import json

from bench.wsgi import wsgi_call


class Echo:
    """A WSGI application answering with what it was given; records whether its iterable was closed."""

    closed = False

    def __call__(self, environ, start_response):
        start_response("201 Created", [("Content-Type", "application/json")])
        seen = {
            key: environ.get(key)
            for key in ("REQUEST_METHOD", "PATH_INFO", "QUERY_STRING", "HTTP_HOST", "HTTP_ACCEPT", "CONTENT_TYPE")
        }
        seen["CONTENT_LENGTH"] = environ.get("CONTENT_LENGTH")
        seen["HTTP_AUTHORIZATION"] = environ.get("HTTP_AUTHORIZATION")
        seen["body"] = environ["wsgi.input"].read().decode()
        return self.Body(self, json.dumps(seen).encode())

    class Body(list):
        def __init__(self, app, content):
            super().__init__([content])
            self.app = app

        def close(self):
            self.app.closed = True


def test_a_post_with_a_body_headers_and_a_query_string():
    app = Echo()
    status, content = wsgi_call(
        app,
        "POST",
        "/api/x/?a=1",
        host="testserver",
        body=b'{"k": 1}',
        content_type="application/json",
        headers={"HTTP_AUTHORIZATION": "Bearer t"},
    )
    assert status == 201 and app.closed
    assert json.loads(content) == {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/api/x/",
        "QUERY_STRING": "a=1",
        "HTTP_HOST": "testserver",
        "HTTP_ACCEPT": "application/json",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": "8",
        "HTTP_AUTHORIZATION": "Bearer t",
        "body": '{"k": 1}',
    }


def test_a_get_has_no_body_headers():
    status, content = wsgi_call(Echo(), "GET", "/api/y/", host="127.0.0.1")
    seen = json.loads(content)
    assert status == 201 and seen["QUERY_STRING"] == "" and seen["body"] == ""
    assert seen["CONTENT_TYPE"] is None and seen["CONTENT_LENGTH"] is None and seen["HTTP_AUTHORIZATION"] is None
