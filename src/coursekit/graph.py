"""Draw the computation graph that PyTorch recorded, with matplotlib only.

`walk_graph(output, names)` follows `output.grad_fn` and each node's
`next_functions` back to the leaf tensors (reached through the `AccumulateGrad`
nodes and their `.variable`) and returns the graph as plain data.
`draw_graph(graph)` lays it out in columns (inputs on the left, the output on
the right) and draws one box per node with its value and gradient. No Graphviz,
no system binary: it renders wherever matplotlib does.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import torch

# How each recorded backward function reads in forward terms.
_OPS = {
    "AddBackward0": "add", "SubBackward0": "sub", "MulBackward0": "mul",
    "DivBackward0": "div", "PowBackward0": "pow", "NegBackward0": "neg",
    "TanhBackward0": "tanh", "ReluBackward0": "relu", "ExpBackward0": "exp",
    "SigmoidBackward0": "sigmoid", "SumBackward0": "sum", "MeanBackward0": "mean",
}
MAX_NODES = 40  # beyond this a drawing is unreadable


@dataclass
class Node:
    id: int  # position in Graph.nodes
    kind: str  # what PyTorch calls it: "MulBackward0", "AccumulateGrad", ...
    op: str  # short forward name: "mul", "add", ..., "leaf"
    name: str | None = None  # the name you gave the tensor, if any
    value: float | tuple | None = None  # a number, a shape for bigger tensors, None if unknown
    grad: float | tuple | None = None  # same, None when PyTorch kept no gradient
    depth: int = 0  # longest number of steps from this node to the output

    @property
    def is_leaf(self) -> bool:
        return self.kind == "AccumulateGrad"


@dataclass
class Graph:
    nodes: list[Node]
    edges: list[tuple[int, int]] = field(default_factory=list)  # (input, consumer): forward

    def node(self, name: str) -> Node:
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError(f"no node named {name!r}; named nodes: {self.names()}")

    def names(self) -> list[str]:
        return [n.name for n in self.nodes if n.name]

    def leaves(self) -> list[Node]:
        return [n for n in self.nodes if n.is_leaf]

    def inputs_of(self, node: Node) -> list[Node]:
        return [self.nodes[a] for a, b in self.edges if b == node.id]

    def users_of(self, node: Node) -> list[Node]:
        return [self.nodes[b] for a, b in self.edges if a == node.id]


def _summary(tensor: torch.Tensor | None):
    """A number for a one-element tensor, its shape otherwise."""
    if tensor is None:
        return None
    return tensor.detach().item() if tensor.numel() == 1 else tuple(tensor.shape)


def walk_graph(output: torch.Tensor, names: dict[str, torch.Tensor] | None = None) -> Graph:
    """The graph PyTorch recorded to compute `output`, as plain data.

    `names` labels tensors (leaves or intermediate results) so their value and
    gradient appear on the nodes. An intermediate's gradient is known only if
    you called `.retain_grad()` on it before `backward()`.
    """
    if not isinstance(output, torch.Tensor):
        raise TypeError(f"walk_graph needs a tensor, got {type(output).__name__}")
    names = names or {}
    for name, tensor in names.items():
        if not isinstance(tensor, torch.Tensor):
            raise TypeError(f"names[{name!r}] should be a tensor, got {type(tensor).__name__}")
    start = _function_of(output)
    if start is None:
        raise ValueError(
            "this tensor has no recorded graph: none of the tensors it was computed from "
            "has requires_grad=True"
        )
    # Which recorded function produced each named tensor (for leaves: its AccumulateGrad).
    by_function = {}
    for name, tensor in names.items():
        function = _function_of(tensor)
        if function is not None:
            by_function[function] = (name, tensor)

    ids: dict = {}  # backward function -> node id; each function once, however often it is used
    graph = Graph(nodes=[])
    stack = [start]
    while stack:
        function = stack.pop()
        if function in ids:
            continue
        ids[function] = len(graph.nodes)
        graph.nodes.append(_node(len(graph.nodes), function, by_function.get(function)))
        if len(graph.nodes) > MAX_NODES:
            raise ValueError(
                f"the graph has more than {MAX_NODES} nodes: too big to draw legibly; "
                "draw a smaller expression"
            )
        # Reversed, so that a function's first input is numbered (and drawn) first.
        stack.extend(f for f, _ in reversed(function.next_functions) if f is not None)
    for function, consumer in ids.items():
        for f, _ in function.next_functions:
            if f is not None:  # None: an input that needs no gradient (a constant)
                graph.edges.append((ids[f], consumer))
    _set_depths(graph)
    return graph


def _function_of(tensor: torch.Tensor):
    if tensor.grad_fn is not None:
        return tensor.grad_fn
    if tensor.requires_grad:  # a leaf: its gradient is collected by an AccumulateGrad node
        return tensor.view_as(tensor).grad_fn.next_functions[0][0]
    return None


def _node(index: int, function, named) -> Node:
    kind = type(function).__name__
    node = Node(index, kind, "leaf" if kind == "AccumulateGrad" else _OPS.get(kind, kind))
    tensor = named[1] if named else getattr(function, "variable", None)
    if named:
        node.name = named[0]
    if tensor is not None:
        node.value = _summary(tensor)
        if tensor.is_leaf or tensor.retains_grad:  # reading .grad otherwise warns
            node.grad = _summary(tensor.grad)
    return node


def _set_depths(graph: Graph) -> None:
    """Depth = longest path to the output (node 0); inputs end up furthest left."""
    users = {n.id: [] for n in graph.nodes}
    for a, b in graph.edges:
        users[a].append(b)
    depth = {0: 0}

    def visit(i):  # memoised longest path; the graph is a DAG
        if i not in depth:
            depth[i] = 1 + max(visit(u) for u in users[i])
        return depth[i]

    for node in graph.nodes:
        node.depth = visit(node.id)


def _layout(graph: Graph) -> dict[int, tuple[float, float]]:
    """Columns by depth; within a column, nodes sorted by where their users sit."""
    columns: dict[int, list[Node]] = {}
    for node in graph.nodes:
        columns.setdefault(node.depth, []).append(node)
    deepest = max(columns)
    position: dict[int, tuple[float, float]] = {}
    for depth in sorted(columns):  # from the output leftwards
        column = columns[depth]
        if depth > 0:
            def mean_user_y(n):
                ys = [position[u.id][1] for u in graph.users_of(n)]
                return sum(ys) / len(ys)
            column.sort(key=lambda n: (-mean_user_y(n), n.id))
        for row, node in enumerate(column):
            position[node.id] = (deepest - depth, (len(column) - 1) / 2 - row)
    return position


def _format(x) -> str:
    if x is None:
        return "not kept"
    if isinstance(x, tuple):
        return "shape (" + ", ".join(map(str, x)) + ")"
    return f"{x:.4g}"


def node_label(node: Node) -> str:
    title = node.name or ""
    title += f"  [{node.op}]" if node.name else node.op
    lines = [title]
    if node.value is not None:
        lines.append(f"value {_format(node.value)}")
    if node.name or node.is_leaf:
        lines.append(f"grad  {_format(node.grad)}")
    return "\n".join(lines)


def draw_graph(graph: Graph, ax=None, title: str | None = None):
    """Draw `graph` (from `walk_graph`): one box per node, arrows in forward direction.

    Returns the figure. Pass `ax` to draw into an existing axes.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    if not isinstance(graph, Graph):
        raise TypeError(f"draw_graph needs the result of walk_graph, got {type(graph).__name__}")
    position = _layout(graph)
    # Data units are inches: a column every 1.75 in, a row every 1.0 in, boxes 1.3 × 0.72 in.
    sx, sy, w, h = 1.75, 1.0, 1.3, 0.72
    xy = {i: (x * sx, y * sy) for i, (x, y) in position.items()}
    # An edge that skips a column would run straight through the boxes between:
    # bend it over them (and leave room above for the bend).
    spans = [position[b][0] - position[a][0] for a, b in graph.edges]
    bend = 0.35 * sy * (max(spans, default=1) > 1)
    xs = [p[0] for p in xy.values()]
    ys = [p[1] for p in xy.values()]
    x0, x1 = min(xs) - w / 2 - 0.05, max(xs) + w / 2 + 0.05
    y0, y1 = min(ys) - h / 2 - 0.05, max(ys) + h / 2 + 0.05 + bend
    if ax is None:
        _, ax = plt.subplots(figsize=(x1 - x0 + 0.2, y1 - y0 + 0.5), layout="constrained")

    for node in graph.nodes:
        x, y = xy[node.id]
        colour = "#dbe9f6" if node.is_leaf else "#fde9d1"
        edge = "#2b6a30" if node.id == 0 else "#555555"
        ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, gid="node",
                                    boxstyle="round,pad=0.02,rounding_size=0.08",
                                    facecolor=colour, edgecolor=edge,
                                    linewidth=2.0 if node.id == 0 else 1.0, zorder=2))
        ax.text(x, y, node_label(node), ha="center", va="center", fontsize=9,
                family="monospace", zorder=3)

    copies = Counter(graph.edges)  # x * x: two edges from x to the same box
    seen: Counter = Counter()
    for (a, b), span in zip(graph.edges, spans, strict=True):
        # Parallel edges side by side, 0.16 in apart.
        shift = 0.16 * (seen[(a, b)] - (copies[(a, b)] - 1) / 2)
        seen[(a, b)] += 1
        (xa, ya), (xb, yb) = xy[a], xy[b]
        if span > 1 and ya == yb:  # leave from the top, arc over, arrive at the top
            start, end = (xa + shift, ya + h / 2), (xb + shift, yb + h / 2)
            rad = -0.6 * sy / (xb - xa)
        else:
            start, end, rad = (xa + w / 2, ya - shift), (xb - w / 2, yb - shift), 0.0
        ax.annotate("", xy=end, xytext=start, zorder=1,
                    arrowprops=dict(arrowstyle="-|>", color="#555555", shrinkA=1, shrinkB=1,
                                    connectionstyle=f"arc3,rad={rad:.3f}"))

    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.axis("off")
    ax.set_title(title or "Computation graph: inputs (blue) on the left, output (green) right")
    return ax.figure
