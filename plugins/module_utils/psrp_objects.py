# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading the objects PowerShell remoting returns, as pypsrp deserialises them.

A cmdlet's output object arrives as a pypsrp ``GenericComplexObject``: ``types`` (its .NET type names, most
derived first), ``adapted_properties`` (the .NET object's properties), ``extended_properties`` (note properties
added by PowerShell) and ``to_string``. Remoting serialises one level deep: a property that holds a complex object
arrives as that object's text, an enum as an object whose text is the member name, a collection as a list. These
helpers read properties by name (case-insensitively, as PowerShell does) without caring which of those forms a
value took, so the driver depends on property names, not on how a particular endpoint serialised them.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.pchat.cutover.plugins.module_utils.errors import PchatError


def _mapping(value, attribute):
    found = getattr(value, attribute, None)
    return found if isinstance(found, dict) else {}


class Props(object):
    """The properties of one output object, read case-insensitively. ``what`` names the object in errors."""

    def __init__(self, obj, what='object'):
        self.obj = obj
        self.what = what
        self.types = list(getattr(obj, 'types', None) or [])
        merged = {}
        for source in (_mapping(obj, 'extended_properties'), _mapping(obj, 'adapted_properties')):
            for name, value in source.items():
                merged[str(name).lower()] = value
        self._values = merged

    def has(self, name):
        return name.lower() in self._values

    def raw(self, name, default=None):
        return self._values.get(name.lower(), default)

    def text(self, name):
        """The property as text (an enum's member name, a nested object's text), or None."""
        return as_text(self.raw(name))

    def required_text(self, name):
        value = self.text(name)
        if value in (None, ''):
            raise PchatError('the %s returned by the front end has no %s property (type %s); the driver needs it. '
                             'Is this a Lync Server 2013 front end?' % (self.what, name, self.types[:1] or 'unknown'),
                             details={'types': self.types, 'properties': sorted(self._values)})
        return value

    def texts(self, name):
        """A collection property as a list of texts (a single value becomes a one-item list)."""
        return [text for text in (as_text(item) for item in as_list(self.raw(name))) if text not in (None, '')]

    def flag(self, name):
        """A Boolean property (True/False, or the texts 'True'/'False'), None when absent or unreadable."""
        return as_bool(self.raw(name))

    def number(self, name):
        value = self.raw(name)
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value
        try:
            return int(as_text(value))
        except (TypeError, ValueError):
            return None

    def is_a(self, type_name):
        """True when ``type_name`` is one of the object's type names (with or without 'Deserialized.')."""
        wanted = type_name.lower()
        return any(name.lower() in (wanted, 'deserialized.' + wanted) for name in self.types)


def as_text(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return 'True' if value else 'False'
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, bytes):
        return value.decode('utf-8', 'replace')
    text = getattr(value, 'to_string', None)
    if text is not None:
        return str(text)
    return str(value)


def as_list(value):
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def as_bool(value):
    if isinstance(value, bool):
        return value
    text = as_text(value)
    if text is None:
        return None
    lowered = text.strip().lower()
    if lowered in ('true', '1'):
        return True
    if lowered in ('false', '0'):
        return False
    return None


def objects(result, what, type_name=None):
    """Props of every output object of a CallResult; with ``type_name``, objects of another type are an error
    (a front end that answers something else than the cmdlet documents must not be misread)."""
    found = [Props(obj, what) for obj in result.output if obj is not None]
    if type_name:
        odd = [props for props in found if not props.is_a(type_name)]
        if odd:
            raise PchatError('the front end returned %s objects where %s was expected for the %s; the driver does not '
                             'read objects it does not know. Is this a Lync Server 2013 front end?'
                             % (odd[0].types[:1] or 'untyped', type_name, what),
                             details={'types': odd[0].types})
    return found
