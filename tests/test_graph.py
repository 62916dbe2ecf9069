"""The graph walker and drawing of lesson 03 (coursekit.graph)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
import torch

from coursekit.graph import MAX_NODES, draw_graph, walk_graph


def neuron():
    w1 = torch.tensor(0.5, requires_grad=True)
    w2 = torch.tensor(0.25, requires_grad=True)
    b = torch.tensor(0.1, requires_grad=True)
    p1 = w1 * 1.5
    p2 = w2 * -2.0
    z = p1 + p2 + b
    C = (z - 1.0) ** 2
    z.retain_grad()
    C.backward()
    return dict(w1=w1, w2=w2, b=b, p1=p1, p2=p2, z=z, C=C)


def edge_names(graph):
    return [(graph.nodes[a].name, graph.nodes[b].name) for a, b in graph.edges]


def test_nodes_edges_and_leaves_of_a_neuron():
    t = neuron()
    graph = walk_graph(t["C"], t)
    # C = pow(sub(add(add(mul(w1), mul(w2)), b))): 5 operations and 3 leaves.
    kinds = sorted(n.kind for n in graph.nodes)
    assert kinds == sorted(["PowBackward0", "SubBackward0", "AddBackward0", "AddBackward0",
                            "MulBackward0", "MulBackward0"] + ["AccumulateGrad"] * 3)
    assert sorted(n.name for n in graph.leaves()) == ["b", "w1", "w2"]
    assert graph.nodes[0].name == "C" and graph.nodes[0].depth == 0
    assert [n.name for n in graph.inputs_of(graph.node("p1"))] == ["w1"]
    assert {n.name for n in graph.inputs_of(graph.node("z"))} == {None, "b"}  # p1 + p2 unnamed
    assert len(graph.edges) == len(graph.nodes) - 1  # a tree: every node but C has one user


def test_values_and_gradients_on_the_nodes():
    t = neuron()
    graph = walk_graph(t["C"], t)
    z = graph.node("z")
    assert z.value == pytest.approx(0.35) and z.grad == pytest.approx(-1.3)
    assert graph.node("w1").grad == pytest.approx(1.5 * -1.3)
    assert graph.node("w2").grad == pytest.approx(-2.0 * -1.3)
    # p1 is intermediate and retain_grad() was not called: its gradient was not kept.
    assert graph.node("p1").value == pytest.approx(0.75) and graph.node("p1").grad is None


def test_leaves_found_without_names_through_accumulate_grad():
    a = torch.tensor(2.0, requires_grad=True)
    b = torch.tensor(-3.0, requires_grad=True)
    graph = walk_graph(a * b)
    assert sorted(n.value for n in graph.leaves()) == [-3.0, 2.0]
    assert all(n.name is None for n in graph.nodes)


def test_shared_subexpression_appears_once():
    x = torch.tensor(3.0, requires_grad=True)
    s = x * x  # x used twice by one operation
    y = s * s + s  # s used by two operations
    graph = walk_graph(y, dict(x=x, s=s, y=y))
    assert [n.name for n in graph.nodes].count("s") == 1
    assert len(graph.leaves()) == 1
    assert edge_names(graph).count(("x", "s")) == 2
    assert sorted(u.op for u in graph.users_of(graph.node("s"))) == ["add", "mul", "mul"]
    assert len(graph.nodes) == 4  # x, s, s*s, y


def test_constants_are_not_nodes():
    x = torch.tensor(1.0, requires_grad=True)
    c = torch.tensor(5.0)  # requires_grad=False: not recorded
    graph = walk_graph(x * c + c)
    assert len(graph.nodes) == 3 and len(graph.edges) == 2


def test_depth_is_the_longest_path_to_the_output():
    a = torch.tensor(2.0, requires_grad=True)
    c = a * 2
    d = c + a  # a reaches d directly (1 step) and through c (2 steps)
    graph = walk_graph(d, dict(a=a, c=c, d=d))
    assert [graph.node(n).depth for n in "dca"] == [0, 1, 2]


def test_bad_input_is_clear():
    with pytest.raises(ValueError, match="no recorded graph"):
        walk_graph(torch.tensor(2.0) * 3)
    with pytest.raises(TypeError, match="needs a tensor, got float"):
        walk_graph(2.0)
    x = torch.tensor(1.0, requires_grad=True)
    with pytest.raises(TypeError, match=r"names\['k'\] should be a tensor"):
        walk_graph(x * 2, {"k": 3})
    y = x
    for _ in range(MAX_NODES):
        y = y * 1.0
    with pytest.raises(ValueError, match="too big to draw"):
        walk_graph(y)
    with pytest.raises(TypeError, match="result of walk_graph"):
        draw_graph([1, 2])


def node_boxes(figure):
    return [p for p in figure.axes[0].patches if p.get_gid() == "node"]


def test_drawing_has_one_box_per_node():
    t = neuron()
    graph = walk_graph(t["C"], t)
    figure = draw_graph(graph)
    try:
        assert len(node_boxes(figure)) == len(graph.nodes) == 9
        texts = [text.get_text() for text in figure.axes[0].texts]
        assert any(text.startswith("z  [add]") and "grad  -1.3" in text for text in texts)
        arrows = [t for t in figure.axes[0].texts if type(t).__name__ == "Annotation"]
        assert len(texts) - len(arrows) == 9  # one label per node
        assert len(arrows) == len(graph.edges) == 8
    finally:
        plt.close(figure)


def test_drawing_a_shared_graph_into_given_axes():
    x = torch.tensor(3.0, requires_grad=True)
    s = x * x
    y = s + x
    figure, ax = plt.subplots()
    try:
        assert draw_graph(walk_graph(y, dict(x=x, s=s, y=y)), ax=ax) is figure
        assert len(node_boxes(figure)) == 3
    finally:
        plt.close(figure)
