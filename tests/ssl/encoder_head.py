"""f(.) then g(.) as one module: forward(x) -> (h, z), the container the model and LARS tests use."""

from torch import nn


class SimCLRModel(nn.Module):
    """f(.) then g(.): forward(x) -> (h, z) (a container for these tests)."""

    def __init__(self, encoder: nn.Module, head: nn.Module) -> None:
        super().__init__()
        self.encoder, self.head = encoder, head

    def forward(self, x):
        h = self.encoder(x)
        return h, self.head(h)
