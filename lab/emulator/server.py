# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulator's HTTPS listener: TLS with the lab's certificate, HTTP/1.1 keep-alive, authentication (auth.py),
the two paths, and the WS-Management endpoint behind them.

A thread per TCP connection (the TLS handshake too happens in it, so a slow client never holds up ``accept``);
Nagle off and each reply written in one piece (headers and body apart cost ~40 ms a request with delayed ACKs).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import email.utils
import http.server
import logging
import socket
import socketserver
import ssl
import sys
import threading
from urllib.parse import urlsplit

from lab.emulator import api, wsman
from lab.emulator.remoting import DropConnection, log_failure

log = logging.getLogger('lab.emulator')

# Paths match case-insensitively, as IIS and HTTP.sys match them; a trailing slash is allowed.
_PATHS = {path.lower(): path for path in api.PATHS}
HANDSHAKE_TIMEOUT_S = 10
KEEP_ALIVE_TIMEOUT_S = 120  # a connection idle this long is closed (HTTP.sys keeps idle connections 2 minutes)
MAX_BODY = 8 * 1024 * 1024


class RequestHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'Microsoft-HTTPAPI/2.0'
    sys_version = ''

    def setup(self):
        raw = self.request
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        raw.settimeout(HANDSHAKE_TIMEOUT_S)
        self.request = self.server.ssl_context.wrap_socket(raw, server_side=True)
        self.request.settimeout(KEEP_ALIVE_TIMEOUT_S)
        self.auth_state = {}  # the Negotiate acceptor of this connection while it runs
        self.principal = None  # the connection's user once Negotiate completed
        super().setup()

    def handle(self):
        try:
            super().handle()
        except (ConnectionError, ssl.SSLError, socket.timeout, OSError):
            pass  # the client went away; nothing to answer

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        log.debug('%s %s', self.client_address[0], format % args)

    def log_request(self, code='-', size='-'):
        pass  # each request is not worth a log line; the request log records pipelines

    # -- replies -------------------------------------------------------------------------------------------------
    def _reply(self, status, body=b'', content_type=None, headers=()):
        lines = ['HTTP/1.1 %d %s' % (status, self.responses.get(status, ('',))[0]),
                 'Server: %s' % self.server_version,
                 'Date: %s' % email.utils.formatdate(usegmt=True),
                 'Content-Length: %d' % len(body)]
        if content_type:
            lines.append('Content-Type: %s' % content_type)
        lines.extend('%s: %s' % header for header in headers)
        if self.close_connection:
            lines.append('Connection: close')
        self.wfile.write(('\r\n'.join(lines) + '\r\n\r\n').encode('latin-1') + body)

    def _unauthorized(self, token=None, scheme=None):
        self.principal = None
        if token:
            offers = ['%s %s' % (scheme or self.server.authenticator.offered()[0], _b64(token))]
        else:
            offers = self.server.authenticator.offered()
        self._reply(401, headers=[('WWW-Authenticate', offer) for offer in offers])

    def _drop(self):
        """Cut the connection with no reply, as a network failure would."""
        self.close_connection = True
        try:
            self.request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b'\x01\x00\x00\x00\x00\x00\x00\x00')
            self.request.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # -- methods -------------------------------------------------------------------------------------------------
    def do_POST(self):  # pylint: disable=invalid-name
        body = self._read_body()
        if body is None:
            return
        path = _PATHS.get(urlsplit(self.path).path.rstrip('/').lower())
        if path is None:
            self._reply(404)
            return
        user, final_token, scheme = self._authenticate()
        if user is None:
            return
        content_type = (self.headers.get('Content-Type') or '').split(';', 1)[0].strip().lower()
        if content_type != 'application/soap+xml':
            # Message-level encryption (multipart/encrypted) is for plain HTTP; over HTTPS pypsrp sends plain SOAP.
            self._reply(415)
            return
        auth_headers = [('WWW-Authenticate', '%s %s' % (scheme, _b64(final_token)))] if final_token else []
        try:
            status, reply = self.server.endpoint.handle(path, user, self.client_address[0], body)
        except DropConnection:
            self._drop()
            return
        except wsman.BadRequest as exc:
            log.warning('bad request from %s: %s', self.client_address[0], exc)
            self._reply(400, headers=auth_headers)
            return
        except Exception as exc:  # pylint: disable=broad-except
            log_failure('answering %s' % self.client_address[0], exc)
            self.close_connection = True
            self._reply(500, headers=auth_headers)
            return
        self._reply(status, reply, 'application/soap+xml;charset=UTF-8', auth_headers)

    def do_GET(self):  # pylint: disable=invalid-name
        self._reply(405, headers=[('Allow', 'POST')])

    do_PUT = do_DELETE = do_HEAD = do_GET

    def _read_body(self):
        """The request body (always read, so the connection stays in step), or None after an error reply."""
        if 'chunked' in (self.headers.get('Transfer-Encoding') or '').lower():
            self.close_connection = True
            self._reply(411)
            return None
        try:
            length = int(self.headers.get('Content-Length') or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self.close_connection = True
            self._reply(413 if length > MAX_BODY else 400)
            return None
        return self.rfile.read(length) if length else b''

    def _authenticate(self):
        """``(user, final Negotiate token, its scheme)``, or ``(None, None, None)`` after a 401 was sent."""
        header = self.headers.get('Authorization')
        if header is None and self.principal is not None:
            return self.principal, None, None  # connection-based: Negotiate authenticated this connection earlier
        if header is None:
            self._unauthorized()
            return None, None, None
        result = self.server.authenticator.step(self.auth_state, header)
        if result.status == 'continue':
            self._unauthorized(result.token, result.scheme)
            return None, None, None
        if result.status != 'ok':
            log.info('authentication refused for %s: %s', self.client_address[0], result.reason)
            self._unauthorized()
            return None, None, None
        if not header.lower().startswith('basic '):
            self.principal = result.principal  # Basic proves one request only
        return result.principal, result.token, result.scheme


def _b64(data):
    return base64.b64encode(data).decode('ascii')


class EmulatorServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address, ssl_context, authenticator, endpoint):
        self.ssl_context = ssl_context
        self.authenticator = authenticator
        self.endpoint = endpoint
        super().__init__(address, RequestHandler)

    def handle_error(self, request, client_address):
        """A connection that failed outside a request (TLS handshake refused by the client, reset, ...): one line at
        debug level, never a traceback with request data on stderr."""
        exc = sys.exc_info()[1]
        if isinstance(exc, (OSError, ssl.SSLError)):
            log.debug('connection from %s ended: %s', client_address[0], type(exc).__name__)
        else:
            log_failure('the connection from %s' % client_address[0], exc)

    def server_bind(self):
        socketserver.TCPServer.server_bind(self)  # HTTPServer's would look the address up in DNS
        self.server_name, self.server_port = self.server_address[:2]


def tls_context(cert_path, key_path):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_path, key_path)
    return context


def serve_in_thread(server):
    thread = threading.Thread(target=server.serve_forever, name='emulator-http', daemon=True)
    thread.start()
    return thread
