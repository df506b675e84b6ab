# -*- coding: utf-8 -*-
# Copyright: (c) 2026, pchat.cutover contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parameter binding as PowerShell does it, from each cmdlet's declarative table (``Param`` and ``CmdletSpec``).

Rules (docs/lab-emulator.md, "Parameter binding"): names compare without regard to case; an unambiguous prefix
of a name or alias binds (as PowerShell allows); then positional arguments bind in position order; then the
parameter set is resolved from what was bound; then mandatory parameters are checked (a remote runspace cannot
prompt for a missing one). Values are converted to the parameter's type or refused with PowerShell-like errors.
Pipeline input binds per record, by value (type match) or by property name.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import re
import uuid

from lab.emulator.api import PSEnum, PSObj

ALL_SETS = '__AllParameterSets'


class BindingError(Exception):
    """A binding failure: ``reason`` becomes the FullyQualifiedErrorId's first part."""

    def __init__(self, reason, message, category='InvalidArgument',
                 exception_type='System.Management.Automation.ParameterBindingException', target=None):
        super(BindingError, self).__init__(message)
        self.reason = reason
        self.message = message
        self.category = category
        self.exception_type = exception_type
        self.target = target


def _describe(value):
    if isinstance(value, PSObj):
        return value.to_string
    if isinstance(value, bytes):
        return 'System.Byte[]'
    if isinstance(value, list):
        return 'System.Object[]'
    if isinstance(value, dict):
        return 'System.Collections.Hashtable'
    if isinstance(value, bool):
        return 'True' if value else 'False'
    return '%s' % (value,)


def _transformation(param, value, type_name, detail=None):
    text = 'Cannot process argument transformation on parameter \'%s\'. Cannot convert value "%s" to type "%s".' % (
        param, _describe(value), type_name)
    if detail:
        text += ' Error: "%s"' % detail
    return BindingError('ParameterArgumentTransformationError', text, category='InvalidData',
                        exception_type='System.Management.Automation.ParameterBindingArgumentTransformationException')


def _validation(param, text):
    return BindingError('ParameterArgumentValidationError',
                        "Cannot validate argument on parameter '%s'. %s" % (param, text), category='InvalidData',
                        exception_type='System.Management.Automation.ParameterBindingValidationException')


# -- parameter types ------------------------------------------------------------------------------------------
class PType(object):
    """A parameter type: ``convert(param_name, value)`` returns the bound value or raises BindingError."""

    name = 'System.Object'
    is_switch = False

    def convert(self, param, value):
        return value

    def accepts(self, value):
        """Whether a pipeline/positional value is this type without conversion (for by-value binding)."""
        try:
            self.convert('?', value)
            return True
        except BindingError:
            return False


class String(PType):
    name = 'System.String'

    def convert(self, param, value):
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, bool):
            return 'True' if value else 'False'
        if isinstance(value, (int, float)):
            return str(value)
        if isinstance(value, (PSObj, PSEnum, uuid.UUID)):
            return str(value) if not isinstance(value, PSObj) else value.to_string
        if isinstance(value, list):  # PowerShell joins an array with spaces ($OFS) when it binds it to a string
            return ' '.join(self.convert(param, item) or '' for item in value)
        if isinstance(value, datetime.datetime):
            return value.strftime('%m/%d/%Y %H:%M:%S')
        raise _transformation(param, value, self.name)

    def accepts(self, value):
        return isinstance(value, str)


class Strings(String):
    """String[] and List`1[String]: a scalar becomes a one-element list."""

    def __init__(self, name='System.String[]'):
        self.name = name

    def convert(self, param, value):
        if value is None:
            return None
        items = value if isinstance(value, list) else [value]
        return [String.convert(self, param, item) for item in items]

    def accepts(self, value):
        return isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))


class Fqdn(String):
    """Lync's Fqdn type: a DNS name."""
    name = 'Microsoft.Rtc.Management.Deploy.Fqdn'
    PATTERN = re.compile(r'^(?=.{1,255}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?'
                         r'(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*$')

    def convert(self, param, value):
        text = String.convert(self, param, value)
        if text is not None and not self.PATTERN.match(text):
            raise _transformation(param, value, self.name, '"%s" is not a valid FQDN.' % text)
        return text


class Int(PType):
    def __init__(self, name='System.Int32', low=-2 ** 31, high=2 ** 31 - 1, unlimited=False):
        self.name = name
        self.low = low
        self.high = high
        self.unlimited = unlimited

    def convert(self, param, value):
        if self.unlimited and isinstance(value, str) and value.strip().lower() == 'unlimited':
            return None  # no limit
        if isinstance(value, bool):
            number = int(value)
        elif isinstance(value, int):
            number = value
        elif isinstance(value, float) and value == int(value):
            number = int(value)
        elif isinstance(value, str) and re.match(r'^\s*[+-]?\d+\s*$', value):
            number = int(value)
        else:
            raise _transformation(param, value, self.name, 'Input string was not in a correct format.')
        if not self.low <= number <= self.high:
            raise _transformation(param, value, self.name, 'Value was either too large or too small for %s.'
                                  % self.name.split('.')[-1].split('`')[0])
        return number

    def accepts(self, value):
        return isinstance(value, int) and not isinstance(value, bool)


class Bool(PType):
    name = 'System.Boolean'

    def convert(self, param, value):
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return value != 0
        raise BindingError(
            'ParameterArgumentTransformationError',
            'Cannot process argument transformation on parameter \'%s\'. Cannot convert value "%s" to type '
            '"System.Boolean". Boolean parameters accept only Boolean values and numbers, such as $True, $False, 1 '
            'or 0.' % (param, 'System.String' if isinstance(value, str) else _describe(value)),
            category='InvalidData',
            exception_type='System.Management.Automation.ParameterBindingArgumentTransformationException')

    def accepts(self, value):
        return isinstance(value, bool)


class Switch(Bool):
    name = 'System.Management.Automation.SwitchParameter'
    is_switch = True

    def convert(self, param, value):
        if value is None:
            return True
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return value != 0
        raise _transformation(param, value, self.name)


class DateTime(PType):
    name = 'System.DateTime'
    # The invariant culture's forms, which is how PowerShell's binder parses a string into [DateTime].
    FORMATS = ('%Y-%m-%dT%H:%M:%S.%f%z', '%Y-%m-%dT%H:%M:%S%z', '%Y-%m-%dT%H:%M%z', '%Y-%m-%dT%H:%M:%S.%f',
               '%Y-%m-%dT%H:%M:%S', '%Y-%m-%dT%H:%M', '%Y-%m-%d %H:%M:%S', '%Y-%m-%d', '%m/%d/%Y %H:%M:%S',
               '%m/%d/%Y %H:%M', '%m/%d/%Y')

    def convert(self, param, value):
        if isinstance(value, datetime.datetime):
            return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)
        if isinstance(value, str):
            text = value.strip().replace('Z', '+00:00') if value.strip().endswith('Z') else value.strip()
            for fmt in self.FORMATS:
                try:
                    parsed = datetime.datetime.strptime(text, fmt)
                except ValueError:
                    continue
                # A time without an offset is the server's local time; the lab's servers run on UTC.
                return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.timezone.utc)
            raise _transformation(param, value, self.name,
                                  'String was not recognized as a valid DateTime.')
        raise _transformation(param, value, self.name)


class Bytes(PType):
    name = 'System.Byte[]'

    def convert(self, param, value):
        if isinstance(value, (bytes, bytearray)):
            return bytes(value)
        if isinstance(value, list) and all(isinstance(v, int) and 0 <= v <= 255 for v in value):
            return bytes(value)
        raise _transformation(param, value, self.name)

    def accepts(self, value):
        return isinstance(value, (bytes, bytearray))


class Enum(PType):
    """A .NET enum parameter; values compare without regard to case, as PowerShell's conversion does."""

    def __init__(self, name, values):
        self.name = name
        self.values = list(values)

    def convert(self, param, value):
        if isinstance(value, PSEnum):
            value = value.name
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(self.values):
            return self.values[value]
        if isinstance(value, str):
            for known in self.values:
                if known.lower() == value.strip().lower():
                    return known
        raise _validation(param, 'The argument "%s" does not belong to the set "%s" specified by the ValidateSet '
                                 'attribute. Supply an argument that is in the set and then try the command again.'
                          % (_describe(value), ','.join(self.values)))

    def accepts(self, value):
        return isinstance(value, (str, PSEnum))


class ListModifier(PType):
    """PSListModifier`1[T]: @{Add=...; Remove=...; Replace=...}, or a plain value/list meaning Replace."""

    def __init__(self, item=None, name='System.Management.Automation.PSListModifier`1[System.String]'):
        self.item = item or Strings()
        self.name = name

    def convert(self, param, value):
        if value is None:
            return {'Replace': []}
        if isinstance(value, dict):
            result = {}
            for key, items in value.items():
                canonical = {'add': 'Add', 'remove': 'Remove', 'replace': 'Replace'}.get(str(key).lower())
                if canonical is None:
                    raise _transformation(param, value, self.name, 'The hash table key "%s" is not valid: use '
                                          'Add, Remove or Replace.' % key)
                result[canonical] = self.item.convert(param, items) or []
            return result
        return {'Replace': self.item.convert(param, value) or []}


class Instance(PType):
    """A complex object parameter (-Instance, -InputObject): a PSObj with one of the given type names."""

    def __init__(self, name, type_names):
        self.name = name
        self.type_names = set(type_names)

    def convert(self, param, value):
        if isinstance(value, PSObj) and self.type_names.intersection(value.type_names):
            return value
        raise _transformation(param, value, self.name)


class Instances(Instance):
    """An array of complex objects (ServiceController[]): one object or a list of them, bound as a list."""

    def convert(self, param, value):
        items = value if isinstance(value, list) else [value]
        return [Instance.convert(self, param, item) for item in items]


class Credential(Instance):
    def __init__(self):
        super(Credential, self).__init__('System.Management.Automation.PSCredential',
                                         ['System.Management.Automation.PSCredential',
                                          'Deserialized.System.Management.Automation.PSCredential'])


class Anything(PType):
    name = 'System.Object'


class Hashtable(PType):
    name = 'System.Collections.Hashtable'

    def convert(self, param, value):
        if isinstance(value, dict):
            return value
        raise _transformation(param, value, self.name)


STRING = String()
STRINGS = Strings()
STRING_LIST = Strings('System.Collections.Generic.List`1[System.String]')
FQDN = Fqdn()
INT = Int()
RESULT_SIZE = Int('Microsoft.Rtc.Management.ADConnect.Core.Unlimited`1[System.UInt32]', 0, 2 ** 32 - 1, True)
BOOL = Bool()
SWITCH = Switch()
DATETIME = DateTime()
BYTES = Bytes()
CREDENTIAL = Credential()
ANYTHING = Anything()


# -- declarations ---------------------------------------------------------------------------------------------
class Param(object):
    """One parameter: ``sets`` None = every set; ``mandatory`` True (in each of its sets), False, or a tuple of
    the sets where it is mandatory; ``pipeline`` None, 'value', 'property' or 'both'."""

    def __init__(self, name, ptype=STRING, sets=None, mandatory=False, position=None, aliases=(), pipeline=None):
        self.name = name
        self.type = ptype
        self.sets = tuple(sets) if sets else None
        self.mandatory = mandatory
        self.position = position
        self.aliases = tuple(aliases)
        self.pipeline = pipeline

    def in_set(self, set_name):
        return self.sets is None or set_name in self.sets

    def mandatory_in(self, set_name):
        if not self.in_set(set_name):
            return False
        if self.mandatory is True:
            return True
        return bool(self.mandatory) and set_name in self.mandatory

    def __repr__(self):
        return 'Param(%r)' % self.name


ACTION_PREFERENCE = Enum('System.Management.Automation.ActionPreference',
                         ['SilentlyContinue', 'Stop', 'Continue', 'Inquire', 'Ignore', 'Suspend'])
COMMON_PARAMETERS = [
    Param('Verbose', SWITCH, aliases=('vb',)),
    Param('Debug', SWITCH, aliases=('db',)),
    Param('ErrorAction', ACTION_PREFERENCE, aliases=('ea',)),
    Param('WarningAction', ACTION_PREFERENCE, aliases=('wa',)),
    Param('InformationAction', ACTION_PREFERENCE, aliases=('infa',)),
    Param('ErrorVariable', STRING, aliases=('ev',)),
    Param('WarningVariable', STRING, aliases=('wv',)),
    Param('InformationVariable', STRING, aliases=('iv',)),
    Param('OutVariable', STRING, aliases=('ov',)),
    Param('OutBuffer', Int('System.Int32', 0), aliases=('ob',)),
    Param('PipelineVariable', STRING, aliases=('pv',)),
]
SHOULD_PROCESS_PARAMETERS = [Param('WhatIf', SWITCH, aliases=('wi',)), Param('Confirm', SWITCH, aliases=('cf',))]
COMMON_NAMES = set(p.name for p in COMMON_PARAMETERS + SHOULD_PROCESS_PARAMETERS)


class Bound(object):
    """The result of binding one command: ``values`` (canonical name -> converted value, cmdlet parameters),
    ``common`` (common and ShouldProcess parameters), ``set_name``, and ``pipeline_params`` (those a record may
    still bind)."""

    def __init__(self, spec, values, common, set_name, candidates=None):
        self.spec = spec
        self.values = values
        self.common = common
        self.set_name = set_name  # None while pipeline input may still decide it
        self.candidates = candidates or [set_name]

    def get(self, name, default=None):
        return self.values.get(name, default)

    def has(self, name):
        return name in self.values


class Binder(object):
    """Binds a Command to a CmdletSpec (``spec.params``, ``spec.sets``, ``spec.default_set``,
    ``spec.should_process``)."""

    def __init__(self, spec):
        self.spec = spec
        self.params = list(spec.params) + COMMON_PARAMETERS + (SHOULD_PROCESS_PARAMETERS if spec.should_process
                                                               else [])
        self.sets = list(spec.sets) if spec.sets else [ALL_SETS]

    # -- names ------------------------------------------------------------------------------------------------
    def resolve_name(self, sent):
        wanted = sent.lower()
        for param in self.params:
            if wanted == param.name.lower() or wanted in (a.lower() for a in param.aliases):
                return param
        matches = []
        for param in self.params:
            if any(n.lower().startswith(wanted) for n in (param.name,) + param.aliases):
                if param not in matches:
                    matches.append(param)
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise BindingError('AmbiguousParameter',
                               "Parameter cannot be processed because the parameter name '%s' is ambiguous. "
                               "Possible matches include: %s." % (sent, ' '.join('-' + p.name for p in matches)),
                               target=sent)
        raise BindingError('NamedParameterNotFound',
                           "A parameter cannot be found that matches parameter name '%s'." % sent, target=sent)

    # -- binding ----------------------------------------------------------------------------------------------
    def bind(self, command, expects_input=False):
        values, common = {}, {}
        candidates = list(self.sets)
        for sent, raw in command.parameters:
            param = self.resolve_name(sent)
            target = common if param.name in COMMON_NAMES else values
            if param.name in target:
                raise BindingError('ParameterAlreadyBound',
                                   "Cannot bind parameter because parameter '%s' is specified more than once. To "
                                   "provide multiple values to parameters that can accept multiple values, use the "
                                   "array syntax. For example, \"-parameter value1,value2,value3\"." % param.name,
                                   target=sent)
            if raw is None and not param.type.is_switch:
                raise BindingError('MissingArgument', "Missing an argument for parameter '%s'. Specify a parameter "
                                                      "of type '%s' and try again." % (param.name, param.type.name),
                                   target=sent)
            target[param.name] = param.type.convert(param.name, raw)
            if param.sets is not None:
                candidates = [s for s in candidates if s in param.sets]
        if not candidates:
            raise self._ambiguous_set()
        for argument in command.arguments:
            param = self._positional_for(argument, values, candidates)
            values[param.name] = param.type.convert(param.name, argument)
            if param.sets is not None:
                candidates = [s for s in candidates if s in param.sets]
        self._check_values(values)
        if expects_input and len(candidates) > 1:
            # Which set applies is decided per input record, by the parameter the record binds to.
            return Bound(self.spec, values, common, None, candidates)
        set_name = self._choose_set(candidates, values, expects_input)
        if not expects_input:
            self.check_mandatory(set_name, values)
        return Bound(self.spec, values, common, set_name)

    def _positional_for(self, argument, values, candidates):
        positional = sorted((p for p in self.spec.params if p.position is not None and p.name not in values
                             and any(p.in_set(s) for s in candidates)), key=lambda p: p.position)
        if positional:
            lowest = positional[0].position
            tied = [p for p in positional if p.position == lowest]
            for param in tied:  # several sets with a parameter at the same position: the type decides
                if param.type.accepts(argument):
                    return param
            return tied[0]
        raise BindingError('PositionalParameterNotFound',
                           "A positional parameter cannot be found that accepts argument '%s'." % _describe(argument),
                           target=_describe(argument))

    def _ambiguous_set(self):
        return BindingError('AmbiguousParameterSet',
                            'Parameter set cannot be resolved using the specified named parameters.')

    def _satisfied(self, set_name, values, expects_input):
        for param in self.spec.params:
            if param.mandatory_in(set_name) and param.name not in values:
                if not (expects_input and param.pipeline):
                    return False
        return True

    def _choose_set(self, candidates, values, expects_input):
        if len(candidates) == 1:
            return candidates[0]
        default = self.spec.default_set
        if default in candidates:
            return default
        satisfied = [s for s in candidates if self._satisfied(s, values, expects_input)]
        if len(satisfied) == 1:
            return satisfied[0]
        raise self._ambiguous_set()

    def _check_values(self, values):
        """An empty string for a mandatory string parameter is refused, as PowerShell's binder does."""
        for param in self.spec.params:
            if param.name in values and param.mandatory and values[param.name] == '':
                raise BindingError('ParameterArgumentValidationErrorEmptyStringNotAllowed',
                                   "Cannot bind argument to parameter '%s' because it is an empty string."
                                   % param.name, category='InvalidData',
                                   exception_type='System.Management.Automation.ParameterBindingValidationException')

    def check_mandatory(self, set_name, values):
        missing = [p.name for p in self.spec.params if p.mandatory_in(set_name) and p.name not in values]
        if missing:
            raise BindingError('MissingMandatoryParameter',
                               'Cannot process command because of one or more missing mandatory parameters: %s.'
                               % ' '.join(missing))

    # -- pipeline input ---------------------------------------------------------------------------------------
    def bind_record(self, bound, record):
        """Values for one pipeline input record (by value first, then by property name), checked for the
        mandatory parameters of the chosen set. Raises BindingError('InputObjectNotBound') when nothing fits."""
        values = dict(bound.values)
        candidates = list(bound.candidates)
        took = False

        def usable(param, kinds):
            return param.pipeline in kinds and param.name not in values and any(param.in_set(s) for s in candidates)
        for param in self.spec.params:
            if usable(param, ('value', 'both')) and param.type.accepts(record):
                values[param.name] = param.type.convert(param.name, record)
                candidates = [s for s in candidates if param.in_set(s)]
                took = True
                break
        if not took and isinstance(record, PSObj):
            for param in self.spec.params:
                if not usable(param, ('property', 'both')):
                    continue
                for key, value in record.properties.items():
                    if key.lower() in [n.lower() for n in (param.name,) + param.aliases]:
                        values[param.name] = param.type.convert(param.name, value)
                        candidates = [s for s in candidates if param.in_set(s)]
                        took = True
                        break
        if not took:
            raise BindingError('InputObjectNotBound',
                               'The input object cannot be bound to any parameters for the command either because '
                               'the command does not take pipeline input or the input and its properties do not '
                               'match any of the parameters that take pipeline input.', target=_describe(record))
        set_name = self._choose_set(candidates, values, False)
        self.check_mandatory(set_name, values)
        return Bound(self.spec, values, bound.common, set_name)
