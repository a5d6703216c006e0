"""The MLP heads of the two-view methods, each as its official code builds it."""

from __future__ import annotations

from torch import nn


def mlp_bn(in_dim: int, hidden: int, out_dim: int, out_bias: bool = True) -> nn.Sequential:
    """Linear -> BN -> ReLU -> Linear, the hidden Linear with a bias, BN with scale and offset.
    BYOL's projector and predictor (byol/utils/networks.py MLP) pass `out_bias=False`: its
    output layer is `hk.Linear(output_size, with_bias=False)`."""
    return nn.Sequential(nn.Linear(in_dim, hidden), nn.BatchNorm1d(hidden), nn.ReLU(inplace=True),
                         nn.Linear(hidden, out_dim, bias=out_bias))


def mlp_relu(in_dim: int, hidden: int, out_dim: int) -> nn.Sequential:
    """MoCo v2's --mlp head (moco/builder.py): Linear -> ReLU -> Linear, with biases, no BN."""
    return nn.Sequential(nn.Linear(in_dim, hidden), nn.ReLU(inplace=True), nn.Linear(hidden, out_dim))


def barlow_projector(in_dim: int, widths: list[int]) -> nn.Sequential:
    """barlowtwins main.py BarlowTwins.__init__: (Linear without bias -> BN -> ReLU) for every
    width but the last, then a Linear without bias to the last width."""
    sizes = [in_dim, *widths]
    layers: list[nn.Module] = []
    for i in range(len(sizes) - 2):
        layers += [nn.Linear(sizes[i], sizes[i + 1], bias=False), nn.BatchNorm1d(sizes[i + 1]), nn.ReLU(inplace=True)]
    layers.append(nn.Linear(sizes[-2], sizes[-1], bias=False))
    return nn.Sequential(*layers)
