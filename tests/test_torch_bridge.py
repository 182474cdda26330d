"""to_torch and from_torch: the same numbers on both sides, the documented names, the refusals, no torch at all."""

from __future__ import annotations

import itertools
import os
import random
import subprocess
import sys
from typing import Any

import pytest

from autograd_mini import MLP, Layer, Neuron, Value
from autograd_mini.nn import ACTIVATIONS
from autograd_mini.torch_bridge import from_torch, to_torch, torch_name


def torch_or_skip() -> Any:
    """torch, or a skip where it is not installed; in CI on Python 3.11 (.ci/run installs it there) it is required."""
    if os.environ.get("CI") and sys.version_info[:2] == (3, 11):
        import torch

        return torch
    return pytest.importorskip("torch")


torch = torch_or_skip()
PAIRS = list(itertools.product(ACTIVATIONS, repeat=2))  # (hidden, output): every activation in both places


def random_inputs(nin: int, count: int, seed: int) -> list[list[float]]:
    rng = random.Random(seed)
    return [[rng.uniform(-2.0, 2.0) for _ in range(nin)] for _ in range(count)]


def ours_and_torch(model: MLP, module: Any, xs: list[list[float]]) -> tuple[list[float], Any, dict[str, float]]:
    """Our outputs and gradients of loss = sum over the points of sum_k (k + 1) out_k, and torch's outputs."""
    model.zero_grad()
    outs = [model(x) for x in xs]
    loss = sum((o * (k + 1) for row in outs for k, o in enumerate(row)), Value(0.0))
    loss.backward()
    theirs = module(torch.tensor(xs, dtype=torch.float64))
    weights = torch.arange(1, theirs.shape[1] + 1, dtype=torch.float64)
    (theirs * weights).sum().backward()
    return [o.data for row in outs for o in row], theirs, {name: p.grad for name, p in model.named_parameters()}


def torch_grad(module: Any, name: str) -> float:
    key, index = torch_name(name)
    return float(dict(module.named_parameters())[key].grad[index])


@pytest.mark.parametrize(("hidden", "output"), PAIRS)
def test_outputs_and_every_gradient_equal_torchs_to_1e_12(hidden: str, output: str) -> None:
    model = MLP(3, [5, 4, 2], activation=hidden, output_activation=output, seed=1)
    module = to_torch(model)
    ours, theirs, grads = ours_and_torch(model, module, random_inputs(3, 8, seed=2))
    assert theirs.dtype == torch.float64
    assert max(abs(a - b) for a, b in zip(ours, theirs.flatten().tolist(), strict=True)) < 1e-12
    assert len(grads) == sum(p.numel() for p in module.parameters()) == 5 * 4 + 4 * 6 + 2 * 5
    assert max(abs(grads[name] - torch_grad(module, name)) for name in grads) < 1e-12
    assert any(abs(g) > 1e-3 for g in grads.values())  # the check compares real gradients, not zeros


@pytest.mark.parametrize(("hidden", "output"), PAIRS)
@pytest.mark.parametrize("bias", [True, False])
def test_ours_to_torch_and_back_is_the_same_model_exactly(hidden: str, output: str, bias: bool) -> None:
    model = MLP(2, [3, 3, 1], activation=hidden, output_activation=output, bias=bias, seed=3)
    back = from_torch(to_torch(model))
    assert back.state_dict() == model.state_dict()
    shape = ("nin", "nouts", "activation", "output_activation", "bias")
    assert [getattr(back, a) for a in shape] == [getattr(model, a) for a in shape]
    x = random_inputs(2, 1, seed=4)[0]
    assert [o.data for o in back(x)] == [o.data for o in model(x)]


def test_a_one_layer_model_keeps_its_unused_hidden_activation() -> None:
    model = MLP(2, [2], activation="relu", output_activation="sigmoid", seed=0)
    assert from_torch(to_torch(model)).activation == "relu"


def test_the_state_dict_keys_and_the_mapping_are_as_documented() -> None:
    model = MLP(2, [3, 1], seed=0)
    module = to_torch(model)
    state = module.state_dict()
    assert list(state) == ["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"]
    assert [tuple(t.shape) for t in state.values()] == [(3, 2), (3,), (1, 3), (1,)]
    layer0 = model.layers[0]
    assert state["layers.0.weight"][2, 1].item() == layer0.neurons[2].w[1].data  # neurons.2.w.1 -> weight[2, 1]
    assert state["layers.1.bias"][0].item() == model.layers[1].neurons[0].b.data
    for name, number in model.state_dict().items():
        key, index = torch_name(name)
        assert state[key][index].item() == number


def test_torch_name_refuses_what_is_not_a_parameter_name() -> None:
    with pytest.raises(ValueError, match=r"name must be an MLP parameter name .*, got 'layers\.0\.w\.0'"):
        torch_name("layers.0.w.0")
    with pytest.raises(TypeError, match="name must be a str, got int: 3"):
        torch_name(3)  # type: ignore[arg-type]


def test_the_two_sides_do_not_share_their_numbers() -> None:
    model = MLP(1, [1], seed=0)
    module = to_torch(model)
    with torch.no_grad():
        module.layers[0].weight.fill_(5.0)
    assert model.layers[0].neurons[0].w[0].data != 5.0
    model.layers[0].neurons[0].b.data = 7.0
    assert module.layers[0].bias.item() != 7.0


def test_the_module_docstrings_example() -> None:
    model = MLP(2, [3, 1], seed=0)
    module = to_torch(model)
    out = module(torch.tensor([[1.0, -2.0]], dtype=torch.float64))
    assert abs(out.item() - model([1.0, -2.0])[0].data) < 1e-15
    assert from_torch(module).state_dict() == model.state_dict()


def test_a_sequential_of_linears_and_activations_comes_in() -> None:
    torch.manual_seed(0)
    nn = torch.nn
    module = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 1)).double()
    model = from_torch(module)
    assert repr(model) == "MLP(2 -> 4 relu -> 4 relu -> 1 linear, bias, 37 parameters)"
    ours, theirs, _ = ours_and_torch(model, module, random_inputs(2, 5, seed=5))
    assert max(abs(a - b) for a, b in zip(ours, theirs.flatten().tolist(), strict=True)) < 1e-12
    single = from_torch(nn.Linear(3, 2, bias=False))
    assert repr(single) == "MLP(3 -> 2 linear, no bias, 6 parameters)"


def test_a_float32_module_is_taken_and_agrees_to_float32_precision() -> None:
    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1))  # float32
    model = from_torch(module)
    weight = module[0].weight.detach()
    assert model.layers[0].neurons[1].w[0].data == float(weight[1, 0])  # every float32 is a float64 exactly
    x = [0.25, -1.5]
    assert abs(model(x)[0].data - module(torch.tensor([x])).item()) < 1e-6


def refused(module: Any) -> str:
    with pytest.raises(ValueError) as caught:
        from_torch(module)
    return str(caught.value)


def test_what_our_mlp_cannot_hold_is_refused_naming_the_layer() -> None:
    nn = torch.nn

    class Scaled(nn.Linear):  # type: ignore[misc]
        def forward(self, x: Any) -> Any:
            return 2 * super().forward(x)

    conv = refused(nn.Sequential(nn.Linear(2, 2), nn.Conv2d(1, 1, 3)))
    assert conv.startswith("module's layer '1' must be a Linear or Tanh, Sigmoid, ReLU, Identity, got Conv2d: Conv2d(")
    assert "layer '1' must be a Linear or" in refused(nn.Sequential(nn.Linear(2, 2), nn.GELU()))
    assert "layer '0' must be a Linear or" in refused(nn.Sequential(Scaled(2, 2)))
    assert "layer '2' must be a Linear or" in refused(nn.Sequential(nn.Linear(2, 2), nn.Tanh(), nn.Dropout()))
    assert refused(nn.Sequential(nn.Tanh(), nn.Linear(2, 2))) == "module's layer '0' (Tanh) must follow a Linear layer"
    assert "layer '2' (ReLU) must follow a Linear" in refused(nn.Sequential(nn.Linear(2, 2), nn.Tanh(), nn.ReLU()))
    chain = refused(nn.Sequential(nn.Linear(2, 3), nn.Linear(4, 1)))
    assert chain == "module's layer '1' must take the 3 outputs of '0', got in_features=4"
    mixed = refused(nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1, bias=False)))
    assert mixed == "module's layer '1' must have a bias, as the others do (our MLP: all or none)"
    hidden = refused(nn.Sequential(nn.Linear(2, 2), nn.Tanh(), nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1)))
    assert hidden.startswith("module's hidden layer 1 must have the activation of layer 0 (tanh), got relu")
    assert refused(nn.Conv2d(1, 1, 3)).startswith("module must be a TorchMLP from to_torch, or a torch.nn.Sequential")
    assert "without a Linear layer" in refused(nn.Sequential())


def test_numbers_our_mlp_cannot_hold_are_refused_naming_the_entry() -> None:
    module = torch.nn.Sequential(torch.nn.Linear(2, 2))
    with torch.no_grad():
        module[0].weight[1, 0] = float("nan")
    assert refused(module) == "module's 0.weight[1, 0] must be a finite number, got nan"
    complex_layer = torch.nn.Linear(2, 1, dtype=torch.complex128)
    assert refused(complex_layer) == "module's weight must hold real floating-point numbers, got dtype torch.complex128"


def test_wrong_kinds_are_type_errors_naming_the_argument() -> None:
    with pytest.raises(TypeError, match=r"module must be a torch\.nn\.Module, got int: 3"):
        from_torch(3)
    with pytest.raises(TypeError, match=r"model must be an MLP, got Layer: .*is MLP\(nin, \[nout\], output_act"):
        to_torch(Layer(2, 3, seed=0))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"model must be an MLP, got Neuron: .*is MLP\(nin, \[1\]"):
        to_torch(Neuron(2, seed=0))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"model must be an MLP, got dict: \{\}"):
        to_torch({})  # type: ignore[arg-type]


def test_without_torch_both_say_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now fails as if it were not installed
    expected = (
        "autograd_mini.torch_bridge (to_torch, from_torch; the tested version: pip install 'autograd-mini[torch]') "
        "needs torch, which is not installed: pip install torch"
    )
    for call in (lambda: to_torch(MLP(1, [1], seed=0)), lambda: from_torch(object())):
        with pytest.raises(ModuleNotFoundError) as caught:
            call()
        assert str(caught.value) == expected
        assert caught.value.name == "torch"


def test_importing_the_package_and_its_names_does_not_import_torch() -> None:
    code = "import sys, autograd_mini; autograd_mini.to_torch, autograd_mini.from_torch; print('torch' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
