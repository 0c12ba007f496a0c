namespace TracrInjection.Rasp.Values;

/// <summary>Python's TypeError: an operation applied to values of incompatible types (e.g. <c>1 &lt; "a"</c>).</summary>
public sealed class PyTypeError(string message) : Exception(message);

/// <summary>Python's ArithmeticError family (ZeroDivisionError, OverflowError). Basis inference turns these into <c>None</c>.</summary>
public sealed class PyArithmeticError(string message) : Exception(message);

/// <summary>Python's ValueError as raised by RASP evaluation (e.g. "key is None!").</summary>
public sealed class PyValueError(string message) : Exception(message);
