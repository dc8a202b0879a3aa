"""A safe arithmetic evaluator: the offline stand-in for ToolQA's WolframAlpha ``Calculate``.

Why: the model needs a calculator it cannot abuse. ``eval`` is out of the question, so the
expression is parsed with :mod:`ast` and only a whitelist is evaluated: numbers, ``+ - * / // %
**``, unary signs, parentheses, a few math functions (sqrt, log, exp, trigonometry, round, abs,
min, max, ...) and the constants ``pi`` and ``e``. Exponents and results are bounded, so
``9**9**9`` is an error, not a frozen process. ``^`` is read as a power and thousands separators
(``1,234``) are stripped, as people (and small models) write them; so is a leading assignment
(``ans = 3 * 4``), which small models carry over from PythonInterpreter.
"""

from __future__ import annotations

import ast
import math
import operator
import re

from ..errors import ToolCallError

MAX_EXPONENT = 10_000
MAX_INT_DIGITS = 400
MAX_LEN = 2_000

_BINOPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY = {ast.UAdd: operator.pos, ast.USub: operator.neg}


def _mean(*xs):
    if not xs:
        raise ValueError("mean of nothing")
    return sum(xs) / len(xs)


_FUNCS = {
    "sqrt": math.sqrt, "log": math.log, "log10": math.log10, "log2": math.log2, "ln": math.log,
    "exp": math.exp, "sin": math.sin, "cos": math.cos, "tan": math.tan, "asin": math.asin,
    "acos": math.acos, "atan": math.atan, "sinh": math.sinh, "cosh": math.cosh, "tanh": math.tanh,
    "floor": math.floor, "ceil": math.ceil, "factorial": math.factorial, "radians": math.radians,
    "degrees": math.degrees, "round": round, "abs": abs, "min": min, "max": max, "sum": lambda *x: sum(x),
    "mean": _mean, "avg": _mean, "int": int, "float": float,
}
_CONSTS = {"pi": math.pi, "e": math.e}
_THOUSANDS = re.compile(r"(?<![\w.])(\d{1,3})((?:,\d{3})+)(?![\d])")


_CALL = re.compile(r"[A-Za-z_]\w*\s*\(")
_ASSIGN = re.compile(r"^[A-Za-z_]\w*\s*=(?!=)(.+)$", re.S)
_EQUALS = re.compile(r"(?<![<>=!])=(?!=)")


def _strip_thousands(expr: str) -> str:
    # "1,234 + 5" -> "1234 + 5". With a function call in the expression a comma may separate
    # arguments ("max(1,234)"), so nothing is stripped there.
    if _CALL.search(expr):
        return expr
    return _THOUSANDS.sub(lambda m: m.group(1) + m.group(2).replace(",", ""), expr)


def _check_size(value):
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**MAX_INT_DIGITS:
        raise ToolCallError(f"Calculate: result too large (more than {MAX_INT_DIGITS} digits)")
    if isinstance(value, float) and math.isinf(value):
        raise ToolCallError("Calculate: result overflows")
    return value


def _eval(node):
    if isinstance(node, ast.Expression):
        return _eval(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        left, right = _eval(node.left), _eval(node.right)
        if isinstance(node.op, ast.Pow) and abs(right) > MAX_EXPONENT:
            raise ToolCallError(f"Calculate: exponent {right} is too large (limit {MAX_EXPONENT})")
        if isinstance(node.op, ast.Pow) and isinstance(left, int) and isinstance(right, int) and right > 0:
            if abs(left) > 1 and right * math.log10(abs(left)) > MAX_INT_DIGITS:
                raise ToolCallError(f"Calculate: result too large (more than {MAX_INT_DIGITS} digits)")
        return _check_size(_BINOPS[type(node.op)](left, right))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_eval(node.operand))
    if isinstance(node, ast.Name):
        if node.id in _CONSTS:
            return _CONSTS[node.id]
        raise ToolCallError(f"Calculate: unknown name {node.id!r}; constants are pi and e")
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
        fname = node.func.id
        if fname not in _FUNCS:
            raise ToolCallError(f"Calculate: unknown function {fname!r}; allowed: {', '.join(sorted(_FUNCS))}")
        args = [_eval(a) for a in node.args]
        if fname == "factorial" and args and args[0] > 500:
            raise ToolCallError("Calculate: factorial argument too large (limit 500)")
        return _check_size(_FUNCS[fname](*args))
    if isinstance(node, (ast.Tuple, ast.List)):
        raise ToolCallError("Calculate: one expression at a time (got a tuple/list)")
    raise ToolCallError(f"Calculate: {type(node).__name__} is not allowed; use numbers, + - * / // % ** ^ and math functions")


def evaluate(expression: str) -> int | float:
    """The value of an arithmetic expression; ``ToolCallError`` for anything else."""
    expr = expression.strip()
    if not expr:
        raise ToolCallError("Calculate: empty expression")
    if len(expr) > MAX_LEN:
        raise ToolCallError(f"Calculate: expression longer than {MAX_LEN} characters")
    expr = _strip_thousands(expr).replace("^", "**").replace("×", "*").replace("÷", "/")
    expr = expr.rstrip("=").strip()
    assigned = _ASSIGN.match(expr)  # "ans = 12 * 7": the right-hand side, as WolframAlpha reads it
    if assigned:
        expr = assigned.group(1).strip()
    if _EQUALS.search(expr):
        raise ToolCallError(f"Calculate: one expression without '=', e.g. 12 * 7 (got {expression!r})")
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError:
        raise ToolCallError(f"Calculate: cannot parse {expression!r} as arithmetic") from None
    try:
        return _eval(tree)
    except ToolCallError:
        raise
    except ZeroDivisionError:
        raise ToolCallError("Calculate: division by zero") from None
    except (ValueError, TypeError, OverflowError) as e:
        raise ToolCallError(f"Calculate: {e}") from None


def format_number(value: int | float) -> str:
    """Integers as integers; floats rounded to 10 significant decimals without trailing noise."""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(round(value, 10))
    return str(value)


def calculate(expression: str) -> str:
    return format_number(evaluate(expression))
