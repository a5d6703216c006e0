"""NT-Xent against a naive loop over Algorithm 1 of the paper (values and gradients), at the
scale of google-research/simclr objective.py: `loss_a + loss_b`, each direction's mean over n."""

import math

import pytest
import torch

from papernotes.ssl.losses import nt_xent_loss


def naive_nt_xent(z1, z2, tau):
    """Algorithm 1 literally: z_{2k-1}, z_{2k} are the two views of example k."""
    n = z1.shape[0]
    z = []
    for k in range(n):
        z += [z1[k], z2[k]]
    def s(i, j):
        return torch.dot(z[i], z[j]) / (torch.linalg.norm(z[i]) * torch.linalg.norm(z[j]))
    def ell(i, j):
        den = sum(torch.exp(s(i, k) / tau) for k in range(2 * n) if k != i)
        return -torch.log(torch.exp(s(i, j) / tau) / den)
    loss_a = sum(ell(2 * k, 2 * k + 1) for k in range(n)) / n  # view 1's queries, mean over n
    loss_b = sum(ell(2 * k + 1, 2 * k) for k in range(n)) / n  # view 2's queries
    return loss_a + loss_b  # objective.py: loss = loss_a + loss_b (Algorithm 1's 1/2N mean, twice)


@pytest.mark.parametrize("n,tau", [(2, 0.5), (5, 0.1), (8, 1.0), (3, 0.07)])
def test_matches_algorithm_1_values_and_grads(n, tau):
    g = torch.Generator().manual_seed(n * 100 + int(tau * 100))
    a = torch.randn(n, 7, generator=g, dtype=torch.float64)
    b = torch.randn(n, 7, generator=g, dtype=torch.float64)
    a1, b1 = a.clone().requires_grad_(), b.clone().requires_grad_()
    a2, b2 = a.clone().requires_grad_(), b.clone().requires_grad_()
    fast = nt_xent_loss(a1, b1, temperature=tau)
    slow = naive_nt_xent(a2, b2, tau)
    assert fast.item() == pytest.approx(slow.item(), rel=1e-10)
    fast.backward()
    slow.backward()
    torch.testing.assert_close(a1.grad, a2.grad, atol=1e-10, rtol=1e-8)
    torch.testing.assert_close(b1.grad, b2.grad, atol=1e-10, rtol=1e-8)


def test_bf16_inputs_give_float32_loss():
    g = torch.Generator().manual_seed(1)
    a, b = torch.randn(4, 8, generator=g), torch.randn(4, 8, generator=g)
    lo = nt_xent_loss(a.bfloat16(), b.bfloat16())
    assert lo.dtype == torch.float32
    assert lo.item() == pytest.approx(nt_xent_loss(a, b).item(), rel=2e-2)


def test_known_value_for_identical_views():
    # orthonormal examples, identical views: positive sim 1, 2n-2 negatives with sim 0
    n, tau = 4, 0.5
    z = torch.eye(n, 6)
    row = -math.log(math.exp(1 / tau) / (math.exp(1 / tau) + (2 * n - 2)))
    expected = 2 * row  # loss_a + loss_b: each direction's mean is `row`
    assert nt_xent_loss(z, z.clone(), tau).item() == pytest.approx(expected, rel=1e-6)


def test_scale_invariant_and_swapping_views():
    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(6, 5, generator=g), torch.randn(6, 5, generator=g)
    base = nt_xent_loss(a, b)
    assert nt_xent_loss(3.0 * a, 0.5 * b).item() == pytest.approx(base.item(), rel=1e-5)
    assert nt_xent_loss(b, a).item() == pytest.approx(base.item(), rel=1e-5)
    # aligned views give a lower loss than random ones
    assert nt_xent_loss(a, a + 0.01 * b).item() < base.item()
