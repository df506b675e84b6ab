# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Values across the seam (api.py): psrpcore's deserialised types in, plain Python to the shell; the shell's values
out, as psrpcore objects that serialise the way remoting does (depth 1)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import decimal
import enum
import queue
import threading
import uuid

from psrpcore.types import (
    ErrorCategory,
    ErrorCategoryInfo,
    ErrorRecord,
    NETException,
    PSChar,
    PSDict,
    PSDouble,
    PSEnumBase,
    PSList,
    PSNoteProperty,
    PSObject,
    PSSecureString,
    PSType,
    PSVersion,
)
from psrpcore.types._enum import PSEnumMeta  # the metaclass every PS enum needs; psrpcore exports no factory

from lab.emulator import api

ARRAY_TYPE_NAMES = ['System.Object[]', 'System.Array', 'System.Object']


# ---------------------------------------------------------------------------------------------------------------
# In: what the client sent -> plain Python


def to_plain(value):
    """A psrpcore value (a command argument or pipeline input) as the plain Python of api.py."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, enum.Enum):
        return api.PSEnum(value.PSObject.type_names[0] if isinstance(value, PSObject) else type(value).__name__,
                          value.name, int(value.value))
    if isinstance(value, PSChar):
        return chr(int(value))
    if isinstance(value, int):
        return int(value)
    if isinstance(value, (float, decimal.Decimal)):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bytes):
        return bytes(value)
    if isinstance(value, datetime.datetime):
        return _utc(value)
    if isinstance(value, datetime.timedelta):
        return datetime.timedelta(seconds=value.total_seconds())
    if isinstance(value, uuid.UUID):
        return uuid.UUID(str(value))
    if isinstance(value, PSVersion):
        return str(value)
    if isinstance(value, PSSecureString):
        return value.decrypt()
    if isinstance(value, dict):
        return {str(to_plain(key)): to_plain(item) for key, item in value.items()}
    if isinstance(value, queue.Queue):
        items = []
        while True:
            try:
                items.append(to_plain(value.get(block=False)))
            except queue.Empty:
                return items
    if isinstance(value, (list, tuple)):
        return [to_plain(item) for item in value]
    if isinstance(value, PSObject):
        meta = value.PSObject
        properties = [(prop.name, to_plain(prop.get_value(value)))
                      for prop in list(meta.adapted_properties) + list(meta.extended_properties)]
        return api.PSObj(meta.type_names or ['System.Object'], properties, meta.to_string or '')
    return str(value)


def _utc(value):
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    value = value.astimezone(datetime.timezone.utc)
    return datetime.datetime(value.year, value.month, value.day, value.hour, value.minute, value.second,
                             value.microsecond, tzinfo=datetime.timezone.utc)


def command_from(psrp_command):
    """An api.Command from a psrpcore Command: named parameters and positional arguments apart, values plain."""
    parameters, arguments = [], []
    for name, value in psrp_command.parameters:
        if name is None:
            arguments.append(to_plain(value))
        else:
            # PowerShell takes "-Name" and "Name" alike; the shell sees the name without the dash.
            parameters.append((name[1:] if name.startswith('-') else name, to_plain(value)))
    return api.Command(psrp_command.command_text, parameters, arguments, is_script=bool(psrp_command.is_script))


def statements_from(powershell):
    """The pipeline's statements (``A | B; C`` is two), each a list of api.Command."""
    statements, current = [], []
    for psrp_command in powershell.commands:
        current.append(command_from(psrp_command))
        if psrp_command.end_of_statement:
            statements.append(current)
            current = []
    if current:
        statements.append(current)
    return statements


# ---------------------------------------------------------------------------------------------------------------
# Out: what the shell wrote -> psrpcore objects


def to_psrp(value, depth=0):
    """A value of api.py as a psrpcore object. ``depth`` 0 is an object written to a stream: a PSObj keeps its type
    names and adapted properties; deeper down (a property's value, a list's item) a PSObj travels as its ToString
    text, as remoting's default serialisation depth of 1 does."""
    if value is None or isinstance(value, (bool, str, bytes, uuid.UUID)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return PSDouble(value)  # a .NET double (psrpcore would send a bare Python float as a single)
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)
    if isinstance(value, api.PSEnum):
        return enum_member(value)
    if isinstance(value, api.PSObj):
        if depth > 0:
            return value.to_string
        return _object(value)
    if isinstance(value, (list, tuple)):
        array = PSList([to_psrp(item, depth + 1) for item in value])
        array.PSObject.type_names = list(ARRAY_TYPE_NAMES)
        return array
    if isinstance(value, dict):
        return PSDict({str(key): to_psrp(item, depth + 1) for key, item in value.items()})
    if isinstance(value, datetime.timedelta):
        return value
    raise TypeError('the emulator cannot send a %s (api.py lists the values that cross the seam)'
                    % type(value).__name__)


def _object(value):
    obj = PSObject()
    obj.PSObject.type_names = list(value.type_names)
    obj.PSObject.adapted_properties = [PSNoteProperty(name, to_psrp(item, 1)) for name, item in
                                       value.properties.items()]
    obj.PSObject.to_string = value.to_string
    return obj


_ENUM_CLASSES = {}
_ENUM_LOCK = threading.Lock()


def enum_member(value):
    """A psrpcore enum member for an api.PSEnum: remoting sends an enum as its type names, ToString and integer.
    psrpcore enums are classes, so one small class is made (and kept) per type, name and value."""
    key = (value.type_name, value.name, int(value.value))
    with _ENUM_LOCK:
        cls = _ENUM_CLASSES.get(key)
        if cls is None:
            class_name = 'LabEnum%d' % len(_ENUM_CLASSES)
            namespace = PSEnumMeta.__prepare__(class_name, (PSEnumBase,))
            namespace[value.name] = int(value.value)
            cls = PSType([value.type_name], rehydrate=False)(PSEnumMeta(class_name, (PSEnumBase,), namespace))
            _ENUM_CLASSES[key] = cls
    return cls(int(value.value))


# ---------------------------------------------------------------------------------------------------------------
# Error records


def _short_type_name(value):
    if isinstance(value, api.PSObj):
        return value.type_names[0].rsplit('.', 1)[-1]
    return {str: 'String', int: 'Int32', bool: 'Boolean', float: 'Double'}.get(type(value), type(value).__name__)


def error_record(record):
    """psrpcore's ErrorRecord for an api.ErrorRecord: the exception with its .NET type names and message,
    FullyQualifiedErrorId, CategoryInfo (category, activity, reason = the exception's short type name, target name
    and type) and the target object (at depth 1: an object travels as its text)."""
    exception = NETException(Message=record.message)
    bases = ('System.SystemException', 'System.Exception', 'System.Object')
    type_names = [record.exception_type] + [name for name in bases if name != record.exception_type]
    exception.PSObject.type_names = type_names
    exception.PSObject.to_string = '%s: %s' % (record.exception_type, record.message)  # .NET's Exception.ToString()
    try:
        category = ErrorCategory[record.category]
    except KeyError:
        category = ErrorCategory.NotSpecified
    target = record.target
    category_info = ErrorCategoryInfo(
        Category=category,
        Activity=record.activity or '',
        Reason=record.exception_type.rsplit('.', 1)[-1],
        TargetName='' if target is None else str(target.to_string if isinstance(target, api.PSObj) else target),
        TargetType='' if target is None else _short_type_name(target),
    )
    return ErrorRecord(Exception=exception, CategoryInfo=category_info, TargetObject=to_psrp(target, 1),
                       FullyQualifiedErrorId=record.error_id)
