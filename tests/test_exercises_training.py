import pytest
import torch
from lesson_cells import lesson_solutions, lesson_templates

from coursekit.exercises import Outcome
from coursekit.exercises.training import diverging_batch_sizes, exercises

check = exercises.check


# The one copy of the reference answers (the solutions notebook) and the lesson's own
# templates, read from notebooks/.
SOLUTIONS = lesson_solutions("07_training_for_real")
TEMPLATES = lesson_templates("07_training_for_real")
run_epoch, measure = SOLUTIONS[1], SOLUTIONS[2]


def test_three_exercises():
    assert exercises.numbers() == [1, 2, 3]


@pytest.mark.parametrize("number", [1, 2, 3])
def test_reference_solutions_pass(number):
    result = check(number, SOLUTIONS[number])
    assert result.outcome is Outcome.PASSED, str(result)


def test_learning_rate_1_diverges_only_with_small_batches():
    """The fact exercise 3 rests on (and lesson 07's explorer shows)."""
    assert diverging_batch_sizes(1.0) == (5, 10)
    assert diverging_batch_sizes(0.1) == ()


# -- templates ------------------------------------------------------------------------------
@pytest.mark.parametrize(("number", "template"),
                         [(1, TEMPLATES[1]), (2, TEMPLATES[2]), (3, TEMPLATES[3]), (3, ...)])
def test_templates_are_not_attempted(number, template):
    result = check(number, template)
    assert result.outcome is Outcome.NOT_ATTEMPTED, str(result)


# -- typical wrong answers ------------------------------------------------------------------
def epoch_without_train_mode(model, loader, optimizer, loss_fn):
    losses = []
    for x, y in loader:
        loss = loss_fn(model(x), y)
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return losses


def epoch_without_zero_grad(model, loader, optimizer, loss_fn):
    model.train()
    losses = []
    for x, y in loader:
        loss = loss_fn(model(x), y)
        losses.append(loss.item())
        loss.backward()
        optimizer.step()
    return losses


def epoch_without_step(model, loader, optimizer, loss_fn):
    model.train()
    losses = []
    for x, y in loader:
        loss = loss_fn(model(x), y)
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
    return losses


def epoch_returning_the_mean(model, loader, optimizer, loss_fn):
    losses = run_epoch(model, loader, optimizer, loss_fn)
    return sum(losses) / len(losses)


def measure_in_train_mode(model, loader, loss_fn):
    total, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for x, y in loader:
            scores = model(x)
            total += loss_fn(scores, y).item() * len(y)
            correct += (scores.argmax(dim=1) == y).sum().item()
            count += len(y)
    return total / count, correct / count


def measure_with_grad(model, loader, loss_fn):
    model.eval()
    total, correct, count = 0.0, 0, 0
    for x, y in loader:
        scores = model(x)
        total += loss_fn(scores, y).item() * len(y)
        correct += (scores.argmax(dim=1) == y).sum().item()
        count += len(y)
    return total / count, correct / count


def measure_mean_of_means(model, loader, loss_fn):
    model.eval()
    losses, correct, count = [], 0, 0
    with torch.no_grad():
        for x, y in loader:
            scores = model(x)
            losses.append(loss_fn(scores, y).item())
            correct += (scores.argmax(dim=1) == y).sum().item()
            count += len(y)
    return sum(losses) / len(losses), correct / count


def measure_in_percent(model, loader, loss_fn):
    loss, accuracy = measure(model, loader, loss_fn)
    return loss, 100 * accuracy


def measure_that_trains(model, loader, loss_fn):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    run_epoch(model, loader, optimizer, loss_fn)
    return measure(model, loader, loss_fn)


@pytest.mark.parametrize(
    ("number", "answer", "message"),
    [
        (1, epoch_without_train_mode, "call model.train()"),
        (1, epoch_without_zero_grad, "optimizer.zero_grad()"),
        (1, epoch_without_step, "optimizer.step()"),
        (1, epoch_returning_the_mean, "a list of 5 losses"),
        (2, measure_in_train_mode, "call model.eval()"),
        (2, measure_with_grad, "torch.no_grad()"),
        (2, measure_mean_of_means, "weigh each one by its size"),
        (2, measure_in_percent, "fraction from 0 to 1"),
        (2, measure_that_trains, "must not train"),
        (2, lambda model, loader, loss_fn: 0.5, "a tuple (mean loss, accuracy)"),
        (3, 5, "a larger one does too"),
        (3, 20, "does not diverge"),
        (3, 12, "not one of the explorer's batch sizes"),
        (3, "10", "a whole number"),
    ],
)
def test_wrong_answers_fail_with_the_reason(number, answer, message):
    result = check(number, answer)
    assert result.outcome is Outcome.FAILED, str(result)
    assert message in result.message, str(result)
