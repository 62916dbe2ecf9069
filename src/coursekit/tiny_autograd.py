"""A tiny scalar autograd engine: the idea behind `loss.backward()`, in one short file.

Every `Value` remembers the values it was made from and a small function that
passes its gradient back to them (the chain rule, one operation at a time).
`backward()` sorts the graph so that each node comes after everything it was
built from, then calls those functions from the output back to the inputs.
"""

from __future__ import annotations

import math


class Value:
    """A number that records how it was computed, so it can find its gradients."""

    def __init__(self, data: float, parents: tuple = (), op: str = ""):
        self.data = float(data)
        self.grad = 0.0  # d(output)/d(self), filled in by backward()
        self._parents = parents  # the Values this one was computed from
        self._op = op  # for printing: "+", "*", "tanh", ...
        self._backward = lambda: None  # adds self.grad × local derivative to each parent

    def __add__(self, other):
        other = as_value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():  # d(a + b)/da = 1 and d(a + b)/db = 1
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = as_value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():  # d(a·b)/da = b and d(a·b)/db = a
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __pow__(self, k):
        if isinstance(k, Value) or not isinstance(k, (int, float)):
            raise TypeError(f"Value ** k needs a plain number k, got {type(k).__name__}")
        out = Value(self.data**k, (self,), f"**{k}")

        def _backward():  # d(a^k)/da = k·a^(k-1)
            self.grad += k * self.data ** (k - 1) * out.grad

        out._backward = _backward
        return out

    def tanh(self):
        t = math.tanh(self.data)
        out = Value(t, (self,), "tanh")

        def _backward():  # d tanh(a)/da = 1 - tanh(a)²
            self.grad += (1 - t * t) * out.grad

        out._backward = _backward
        return out

    def relu(self):
        out = Value(max(self.data, 0.0), (self,), "relu")

        def _backward():  # slope 1 where a > 0, else 0
            self.grad += (self.data > 0) * out.grad

        out._backward = _backward
        return out

    def backward(self):
        """Fill in `.grad` of every Value this one depends on (d self / d that Value)."""
        order, seen, stack = [], set(), [(self, False)]
        while stack:  # depth-first, without recursion: a node after all its parents
            node, parents_done = stack.pop()
            if parents_done:
                order.append(node)
            elif node not in seen:
                seen.add(node)
                stack.append((node, True))
                stack.extend((parent, False) for parent in node._parents)
        for node in order:  # intermediate gradients start afresh; inputs accumulate
            if node._parents:
                node.grad = 0.0
        self.grad = 1.0  # d self / d self
        for node in reversed(order):  # from the output back to the inputs
            node._backward()

    # Everything else is built from the operations above.
    def __neg__(self): return self * -1
    def __sub__(self, other): return self + (-as_value(other))
    def __truediv__(self, other): return self * as_value(other) ** -1
    def __radd__(self, other): return self + other
    def __rmul__(self, other): return self * other
    def __rsub__(self, other): return as_value(other) - self
    def __rtruediv__(self, other): return as_value(other) / self

    def __repr__(self):
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"


def as_value(x) -> Value:
    """Wrap a plain number so it can take part in an expression."""
    if isinstance(x, Value):
        return x
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise TypeError(f"a Value combines with numbers or Values, not {type(x).__name__}")
    return Value(x)
