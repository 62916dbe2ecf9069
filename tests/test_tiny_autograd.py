"""The tiny scalar autograd engine of lesson 03 against PyTorch (float64)."""

import math

import pytest
import torch

from coursekit.tiny_autograd import Value


def torch_grads(function, *inputs):
    """Value and gradients of function(*inputs) computed by PyTorch in float64."""
    leaves = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in inputs]
    out = function(*leaves)
    out.backward()
    return out.item(), [leaf.grad.item() for leaf in leaves]


def tiny_grads(function, *inputs):
    leaves = [Value(v) for v in inputs]
    out = function(*leaves)
    out.backward()
    return out.data, [leaf.grad for leaf in leaves]


EXPRESSIONS = {
    "add and mul": (lambda a, b: a * b + a, (2.0, -3.0)),
    "shared: x*x + x": (lambda x: x * x + x, (3.0,)),
    # b reaches the output through the add and directly; the add runs second:
    # an `=` instead of `+=` in either side of its backward would lose a path.
    "shared after add": (lambda a, b: (a + b) * b + (b + a) * a, (0.6, -1.4)),
    "shared after mul": (lambda a, b: (a * b) * b + (b * a) * a, (0.6, -1.4)),
    "power": (lambda a: a**3 + a**-2 + a**0.5, (1.7,)),
    "sub, neg, div": (lambda a, b: (a - b) / (-b) - 2 / a + 1 - a, (0.8, 2.5)),
    "tanh": (lambda a, b: (a * b + 0.5).tanh() * a, (0.3, -1.2)),
    "relu both sides": (lambda a, b: (a * 2).relu() + (b * 2).relu() * a, (0.7, -0.4)),
    "neuron and cost": (lambda w1, w2, b: ((w1 * 1.5 + w2 * -2.0 + b) - 1.0) ** 2,
                        (0.5, 0.25, 0.1)),
}


@pytest.mark.parametrize("name", list(EXPRESSIONS))
def test_gradients_match_pytorch(name):
    function, inputs = EXPRESSIONS[name]
    value, grads = tiny_grads(function, *inputs)
    ref_value, ref_grads = torch_grads(function, *inputs)
    assert value == pytest.approx(ref_value, rel=1e-12, abs=1e-12)
    assert grads == pytest.approx(ref_grads, rel=1e-12, abs=1e-12)


def test_two_paths_add():
    x = Value(3.0)
    y = x * x + x  # dy/dx = 2x + 1 = 7: one path through x*x (twice), one direct
    y.backward()
    assert y.data == 12.0
    assert x.grad == 7.0


def test_node_used_twice_gets_both_gradients():
    x = Value(2.0)
    s = x * 3  # s feeds two operations
    y = s.tanh() + s * s
    y.backward()
    t = math.tanh(6.0)
    assert s.grad == pytest.approx((1 - t * t) + 2 * 6.0, rel=1e-12)
    assert x.grad == pytest.approx(3 * s.grad, rel=1e-12)


def test_second_backward_accumulates_on_inputs_only():
    # Like PyTorch: inputs (leaves) accumulate, intermediate nodes start afresh.
    x = Value(2.0)
    s = x * x
    y = s * 3
    y.backward()
    assert (x.grad, s.grad) == (12.0, 3.0)
    y.backward()
    assert (x.grad, s.grad) == (24.0, 3.0)


def test_relu_has_zero_gradient_below_zero():
    a = Value(-1.0)
    b = a.relu()
    b.backward()
    assert (b.data, a.grad) == (0.0, 0.0)


def test_long_chain_needs_no_recursion():
    x = Value(1.0)
    y = x
    for _ in range(5000):  # deeper than Python's recursion limit
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == 1.0


def test_plain_numbers_on_either_side():
    a = Value(4.0)
    assert (2 + a).data == 6.0 and (2 - a).data == -2.0
    assert (2 * a).data == 8.0 and (2 / a).data == 0.5


def test_bad_operands_are_clear():
    with pytest.raises(TypeError, match="needs a plain number k, got Value"):
        Value(2.0) ** Value(3.0)
    with pytest.raises(TypeError, match="not str"):
        Value(2.0) + "1"


def test_repr_shows_data_and_grad():
    assert repr(Value(1.5)) == "Value(data=1.5, grad=0)"


def test_small_network_gradients_match_pytorch():
    # Lesson 03 trains a two-layer tanh network made of Values: a wide graph in
    # which every weight reaches the loss along one path per data point.
    points = [[0.3, -1.2], [1.5, 0.4], [-0.7, 0.9], [0.1, 0.2]]
    targets = [1.0, -1.0, 1.0, -1.0]
    w1 = [[0.5, -0.3], [0.8, 0.1], [-0.6, 0.7]]  # 3 hidden neurons, 2 inputs each
    b1, w2, b2 = [0.1, -0.2, 0.05], [0.9, -0.4, 0.3], -0.1

    def network(x, w1, b1, w2, b2):
        hidden = []
        for row, b in zip(w1, b1, strict=True):
            hidden.append(sum((w * xi for w, xi in zip(row, x, strict=True)), b).tanh())
        return sum((w * h for w, h in zip(w2, hidden, strict=True)), b2).tanh()

    tw1, tb1, tw2, tb2 = ([[Value(w) for w in row] for row in w1], [Value(b) for b in b1],
                          [Value(w) for w in w2], Value(b2))
    errors = [(network(x, tw1, tb1, tw2, tb2) - t) ** 2
              for x, t in zip(points, targets, strict=True)]
    loss = sum(errors) / len(points)
    loss.backward()

    W1, B1, W2, B2 = (torch.tensor(v, dtype=torch.float64, requires_grad=True)
                      for v in (w1, b1, w2, b2))
    X, T = torch.tensor(points, dtype=torch.float64), torch.tensor(targets, dtype=torch.float64)
    ref = ((torch.tanh(torch.tanh(X @ W1.T + B1) @ W2 + B2) - T) ** 2).mean()
    ref.backward()

    assert loss.data == pytest.approx(ref.item(), rel=1e-12)
    assert [w.grad for row in tw1 for w in row] == pytest.approx(W1.grad.flatten().tolist(),
                                                                rel=1e-10)
    assert [b.grad for b in tb1] == pytest.approx(B1.grad.tolist(), rel=1e-10)
    assert [w.grad for w in tw2] == pytest.approx(W2.grad.tolist(), rel=1e-10)
    assert tb2.grad == pytest.approx(B2.grad.item(), rel=1e-10)
