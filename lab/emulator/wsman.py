# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""WS-Management (SOAP 1.2) for the PowerShell shell: parse a request envelope, build the replies and faults that a
WinRM service sends ([MS-WSMV]). No PSRP here: stream payloads are bytes in, base64 text out."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import re
import uuid
from xml.etree import ElementTree
from xml.sax.saxutils import escape, quoteattr

NS = {
    's': 'http://www.w3.org/2003/05/soap-envelope',
    'wsa': 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
    'wsman': 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd',
    'wsmv': 'http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd',
    'wst': 'http://schemas.xmlsoap.org/ws/2004/09/transfer',
    'rsp': 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell',
    'wsmanfault': 'http://schemas.microsoft.com/wbem/wsman/1/wsmanfault',
    'pwsh': 'http://schemas.microsoft.com/powershell',
}

_TRANSFER = 'http://schemas.xmlsoap.org/ws/2004/09/transfer/'
_SHELL = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/'
ACTION_CREATE = _TRANSFER + 'Create'
ACTION_DELETE = _TRANSFER + 'Delete'
ACTION_GET = _TRANSFER + 'Get'
ACTION_COMMAND = _SHELL + 'Command'
ACTION_SEND = _SHELL + 'Send'
ACTION_RECEIVE = _SHELL + 'Receive'
ACTION_SIGNAL = _SHELL + 'Signal'
ACTION_FAULT = 'http://schemas.dmtf.org/wbem/wsman/1/wsman/fault'

# Signal codes, compared in lower case: pypsrp sends ``.../signal/Terminate`` and ``powershell/signal/ctrl_c``;
# [MS-PSRP] spells the latter ``crtl_c``.
SIGNAL_TERMINATE = (_SHELL + 'signal/terminate').lower()
SIGNALS_CTRL_C = ('powershell/signal/ctrl_c', 'powershell/signal/crtl_c', (_SHELL + 'signal/ctrl_c').lower())

COMMAND_STATE_DONE = _SHELL + 'CommandState/Done'
COMMAND_STATE_RUNNING = _SHELL + 'CommandState/Running'

# WSManFault codes a WinRM service sends, and pypsrp acts on.
FAULT_OPERATION_TIMEOUT = 2150858793  # 0x80338029: nothing to receive yet, poll again
FAULT_SHELL_NOT_FOUND = 2150858843  # 0x8033805B: unknown ShellId (pypsrp's is_alive reads it as "closed")
FAULT_ACTION_NOT_SUPPORTED = 2150858754  # 0x80338002
FAULT_ACCESS_DENIED = 5  # ERROR_ACCESS_DENIED: another user's shell
FAULT_INTERNAL = 2147500037  # 0x80004005 E_FAIL

_DEFAULT_MAX_ENVELOPE = 153600  # pypsrp's first requests; it raises the size to 512000 after the capabilities
_DURATION = re.compile(r'^P(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$')


class BadRequest(Exception):
    """A body that is no WS-Management envelope: HTTP 400."""


class Fault(Exception):
    """A WS-Management fault: HTTP 500 with an ``s:Fault`` holding ``wsmanfault:WSManFault Code=...``."""

    def __init__(self, code, reason, subcode='w:InternalError', soap_code='s:Receiver'):
        super(Fault, self).__init__(reason)
        self.code = code
        self.reason = reason
        self.subcode = subcode
        self.soap_code = soap_code


def operation_timeout_fault():
    return Fault(FAULT_OPERATION_TIMEOUT,
                 'The WS-Management service cannot complete the operation within the time specified in '
                 'OperationTimeout.', subcode='w:TimedOut')


def shell_not_found_fault(shell_id):
    return Fault(FAULT_SHELL_NOT_FOUND,
                 'The request for the Windows Remote Shell with ShellId %s failed because the shell was not found on '
                 'the server. Possible causes are: the specified ShellId is incorrect or the shell no longer exists on '
                 'the server. Provide the correct ShellId or create a new shell and retry the operation.' % shell_id,
                 subcode='w:InvalidSelectors', soap_code='s:Sender')


class Request(object):
    """The parts of a request envelope the shell needs."""

    __slots__ = ('action', 'message_id', 'resource_uri', 'selectors', 'options', 'operation_timeout',
                 'max_envelope_size', 'body')

    def __init__(self, action, message_id, resource_uri, selectors, options, operation_timeout, max_envelope_size,
                 body):
        self.action = action
        self.message_id = message_id
        self.resource_uri = resource_uri
        self.selectors = selectors
        self.options = options
        self.operation_timeout = operation_timeout
        self.max_envelope_size = max_envelope_size
        self.body = body

    def shell_id(self):
        return self.selectors.get('ShellId')


def _seconds(duration, default):
    match = _DURATION.match((duration or '').strip())
    if not match or not any(match.groups()):
        return default
    hours, minutes, seconds = (float(part or 0) for part in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def parse(data):
    """A :class:`Request` from the raw body; raises BadRequest."""
    try:
        envelope = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise BadRequest('not XML: %s' % exc)
    header = envelope.find('s:Header', NS)
    body = envelope.find('s:Body', NS)
    if header is None or body is None:
        raise BadRequest('not a SOAP envelope')

    def text(path):
        element = header.find(path, NS)
        return (element.text or '').strip() if element is not None else None

    action = text('wsa:Action')
    message_id = text('wsa:MessageID')
    if not action or not message_id:
        raise BadRequest('wsa:Action and wsa:MessageID are required')
    selectors = {s.get('Name'): (s.text or '').strip() for s in header.findall('wsman:SelectorSet/wsman:Selector', NS)}
    options = {o.get('Name'): (o.text or '').strip() for o in header.findall('wsman:OptionSet/wsman:Option', NS)}
    try:
        max_envelope = int(text('wsman:MaxEnvelopeSize') or _DEFAULT_MAX_ENVELOPE)
    except ValueError:
        raise BadRequest('wsman:MaxEnvelopeSize is not a number')
    children = list(body)
    return Request(action, message_id, text('wsman:ResourceURI') or '', selectors, options,
                   _seconds(text('wsman:OperationTimeout'), 60.0), max_envelope, children[0] if children else None)


def b64(element):
    """The bytes of a base64 element (empty for none)."""
    if element is None or not (element.text or '').strip():
        return b''
    try:
        return base64.b64decode(element.text.strip(), validate=True)
    except ValueError:
        raise BadRequest('invalid base64 in %s' % element.tag)


_ENVELOPE = (
    '<s:Envelope xml:lang="en-US" xmlns:s="%(s)s" xmlns:a="%(wsa)s" xmlns:x="%(wst)s" xmlns:w="%(wsman)s" '
    'xmlns:rsp="%(rsp)s" xmlns:p="%(wsmv)s">'
    '<s:Header><a:Action>%%(action)s</a:Action><a:MessageID>uuid:%%(message_id)s</a:MessageID>'
    '<a:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:To>'
    '<a:RelatesTo>%%(relates_to)s</a:RelatesTo></s:Header><s:Body>%%(body)s</s:Body></s:Envelope>'
) % NS


def envelope(request, action, body):
    """A reply envelope (bytes) whose ``wsa:RelatesTo`` is the request's MessageID, as pypsrp checks."""
    return (_ENVELOPE % {
        'action': action, 'message_id': str(uuid.uuid4()).upper(), 'relates_to': escape(request.message_id),
        'body': body,
    }).encode('utf-8')


def envelope_overhead(request, action):
    """Bytes a reply takes besides its body (for sizing Receive replies to MaxEnvelopeSize)."""
    return len(envelope(request, action, ''))


def fault(request, error, machine):
    message_id = escape(request.message_id) if request is not None else ''
    body = (
        '<s:Fault><s:Code><s:Value>%s</s:Value><s:Subcode><s:Value>%s</s:Value></s:Subcode></s:Code>'
        '<s:Reason><s:Text xml:lang="en-US">%s</s:Text></s:Reason><s:Detail>'
        '<f:WSManFault xmlns:f="%s" Code="%d" Machine=%s><f:Message>%s</f:Message></f:WSManFault>'
        '</s:Detail></s:Fault>'
    ) % (error.soap_code, error.subcode, escape(error.reason), NS['wsmanfault'], error.code, quoteattr(machine),
         escape(error.reason))
    return (_ENVELOPE % {'action': ACTION_FAULT, 'message_id': str(uuid.uuid4()).upper(), 'relates_to': message_id,
                         'body': body}).encode('utf-8')


def _shell_xml(shell_id, resource_uri, owner, client_ip, state=None):
    parts = ['<rsp:Shell><rsp:ShellId>%s</rsp:ShellId>' % shell_id,
             '<rsp:ResourceUri>%s</rsp:ResourceUri>' % escape(resource_uri),
             '<rsp:Owner>%s</rsp:Owner><rsp:ClientIP>%s</rsp:ClientIP>' % (escape(owner), escape(client_ip))]
    if state:
        parts.append('<rsp:State>%s</rsp:State>' % state)
    parts.append('<rsp:IdleTimeOut>PT7200.000S</rsp:IdleTimeOut><rsp:InputStreams>stdin pr</rsp:InputStreams>'
                 '<rsp:OutputStreams>stdout</rsp:OutputStreams></rsp:Shell>')
    return ''.join(parts)


def create_response(request, shell_id, owner, client_ip):
    body = (
        '<x:ResourceCreated><a:Address>%s</a:Address><a:ReferenceParameters>'
        '<w:ResourceURI>%s</w:ResourceURI><w:SelectorSet><w:Selector Name="ShellId">%s</w:Selector></w:SelectorSet>'
        '</a:ReferenceParameters></x:ResourceCreated>%s'
    ) % ('http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous', escape(request.resource_uri), shell_id,
         _shell_xml(shell_id, request.resource_uri, owner, client_ip))
    return envelope(request, _TRANSFER + 'CreateResponse', body)


def get_response(request, shell_id, owner, client_ip):
    return envelope(request, _TRANSFER + 'GetResponse',
                    _shell_xml(shell_id, request.resource_uri, owner, client_ip, state='Connected'))


def delete_response(request):
    return envelope(request, _TRANSFER + 'DeleteResponse', '')


def command_response(request, command_id):
    return envelope(request, _SHELL + 'CommandResponse',
                    '<rsp:CommandResponse><rsp:CommandId>%s</rsp:CommandId></rsp:CommandResponse>' % command_id)


def send_response(request):
    return envelope(request, _SHELL + 'SendResponse', '<rsp:SendResponse/>')


def signal_response(request):
    return envelope(request, _SHELL + 'SignalResponse', '<rsp:SignalResponse/>')


RECEIVE_RESPONSE = _SHELL + 'ReceiveResponse'


def receive_body_overhead(command_id, done):
    """Bytes of a ReceiveResponse body besides the base64 of its stream."""
    return len(receive_body('', command_id, done))


def receive_body(stream_b64, command_id, done):
    """A ReceiveResponse body: one ``stdout`` stream (already base64), and for a pipeline its command state."""
    command_attr = ' CommandId="%s"' % command_id if command_id else ''
    state = ''
    if command_id:
        state = '<rsp:CommandState CommandId="%s" State="%s"/>' % (
            command_id, COMMAND_STATE_DONE if done else COMMAND_STATE_RUNNING)
    return '<rsp:ReceiveResponse><rsp:Stream Name="stdout"%s>%s</rsp:Stream>%s</rsp:ReceiveResponse>' % (
        command_attr, stream_b64, state)
