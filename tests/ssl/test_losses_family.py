"""MoCo v2, BYOL, Barlow Twins, SwAV, DINO and MAE losses against naive float64 transcriptions of
the official code (values and input gradients), one process."""

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from papernotes.ssl.losses import (
    barlow_twins_loss,
    byol_loss,
    dino_center_update,
    dino_loss,
    infonce_queue_loss,
    mae_loss,
    moco_enqueue,
    patchify,
    sinkhorn,
    swav_loss,
)

F64 = torch.float64


def _randn(g, *shape):
    return torch.randn(*shape, generator=g, dtype=F64)


def _grads_equal(a, b):
    torch.testing.assert_close(a, b, atol=1e-10, rtol=1e-8)


# --- MoCo v2: moco/builder.py MoCo.forward + main_moco.py CrossEntropyLoss -------------------

def naive_moco(q_raw, k_raw, queue_dk, T):
    """builder.py with its own [D, K] queue buffer (dim x K, one key per column)."""
    q = nn.functional.normalize(q_raw, dim=1)
    with torch.no_grad():
        k = nn.functional.normalize(k_raw, dim=1)
    l_pos = torch.einsum("nc,nc->n", [q, k]).unsqueeze(-1)
    l_neg = torch.einsum("nc,ck->nk", [q, queue_dk.clone().detach()])
    logits = torch.cat([l_pos, l_neg], dim=1)
    logits /= T
    labels = torch.zeros(logits.shape[0], dtype=torch.long)
    return nn.CrossEntropyLoss()(logits, labels)


def loop_infonce(q_raw, k_raw, queue_dk, T):
    """MoCo paper eq. 1 per query: -log exp(q.k+/T) / (exp(q.k+/T) + sum_i exp(q.k_i/T))."""
    total = 0.0
    for i in range(q_raw.shape[0]):
        q = q_raw[i] / torch.linalg.norm(q_raw[i])
        k = (k_raw[i] / torch.linalg.norm(k_raw[i])).detach()
        pos = torch.exp(torch.dot(q, k) / T)
        neg = sum(torch.exp(torch.dot(q, queue_dk[:, j]) / T) for j in range(queue_dk.shape[1]))
        total = total - torch.log(pos / (pos + neg))
    return total / q_raw.shape[0]


@pytest.mark.parametrize("n,d,kq,T", [(3, 5, 6, 0.2), (4, 8, 12, 0.07)])
def test_moco_matches_builder_and_eq1(n, d, kq, T):
    g = torch.Generator().manual_seed(n * 10 + kq)
    q0, k0 = _randn(g, n, d), _randn(g, n, d)
    queue_dk = F.normalize(_randn(g, d, kq), dim=0)  # the official buffer: [D, K]
    ours_q, ours_k = q0.clone().requires_grad_(), k0.clone().requires_grad_()
    ref_q, loop_q = q0.clone().requires_grad_(), q0.clone().requires_grad_()
    ours = infonce_queue_loss(ours_q, ours_k, queue_dk.t().contiguous(), temperature=T)
    ref = naive_moco(ref_q, k0, queue_dk, T)
    loop = loop_infonce(loop_q, k0, queue_dk, T)
    assert ours.item() == pytest.approx(ref.item(), rel=1e-12)
    assert ours.item() == pytest.approx(loop.item(), rel=1e-12)
    ours.backward()
    ref.backward()
    loop.backward()
    _grads_equal(ours_q.grad, ref_q.grad)
    _grads_equal(ours_q.grad, loop_q.grad)
    assert ours_k.grad is None  # keys get no gradient


def test_moco_enqueue_matches_dequeue_and_enqueue():
    g = torch.Generator().manual_seed(3)
    d, kq, b = 4, 6, 2
    queue_dk = F.normalize(_randn(g, d, kq), dim=0)
    ours = queue_dk.t().clone()  # [K, D]
    ptr_ref, ptr = 0, 0
    for _ in range(4):  # wraps around the 6-row queue
        k = _randn(g, b, d)
        keys = F.normalize(k, dim=1)
        queue_dk[:, ptr_ref:ptr_ref + b] = keys.T  # builder.py _dequeue_and_enqueue, one rank
        ptr_ref = (ptr_ref + b) % kq
        ptr = moco_enqueue(ours, k, ptr)
        assert ptr == ptr_ref
        torch.testing.assert_close(ours, queue_dk.t(), atol=1e-15, rtol=0)
    with pytest.raises(ValueError):
        moco_enqueue(torch.zeros(5, d, dtype=F64), _randn(g, 2, d), 0)


# --- BYOL: byol/utils/helpers.py regression_loss, byol_experiment.py _loss_fn ----------------

def naive_byol(p1, p2, z1, z2):
    def l2_normalize(x, axis=None, epsilon=1e-12):
        square_sum = torch.sum(torch.square(x), dim=axis, keepdim=True)
        x_inv_norm = torch.rsqrt(torch.maximum(square_sum, torch.tensor(epsilon, dtype=x.dtype)))
        return x * x_inv_norm

    def regression_loss(x, y):
        normed_x, normed_y = l2_normalize(x, axis=-1), l2_normalize(y, axis=-1)
        return torch.sum((normed_x - normed_y) ** 2, dim=-1)

    repr_loss = regression_loss(p1, z2.detach())  # stop_gradient on the target
    repr_loss = repr_loss + regression_loss(p2, z1.detach())
    return torch.mean(repr_loss)


def test_byol_matches_regression_loss_and_is_2_minus_2cos():
    g = torch.Generator().manual_seed(5)
    p1, p2, z1, z2 = (_randn(g, 5, 7) for _ in range(4))
    a1, a2 = p1.clone().requires_grad_(), p2.clone().requires_grad_()
    b1, b2 = p1.clone().requires_grad_(), p2.clone().requires_grad_()
    zt = z2.clone().requires_grad_()
    ours = byol_loss(a1, zt) + byol_loss(a2, z1)
    ref = naive_byol(b1, b2, z1, z2)
    assert ours.item() == pytest.approx(ref.item(), rel=1e-12)
    ours.backward()
    ref.backward()
    _grads_equal(a1.grad, b1.grad)
    _grads_equal(a2.grad, b2.grad)
    assert zt.grad is None
    cos = F.cosine_similarity(p1, z2, dim=-1)
    assert byol_loss(p1, z2).item() == pytest.approx((2 - 2 * cos).mean().item(), rel=1e-12)
    assert byol_loss(p1, 3.0 * p1).item() == pytest.approx(0.0, abs=1e-12)


# --- Barlow Twins: barlowtwins/main.py BarlowTwins.forward (one process) ---------------------

def off_diagonal(x):
    n, m = x.shape
    assert n == m
    return x.flatten()[:-1].view(n - 1, n + 1)[:, 1:].flatten()


def naive_barlow(z1, z2, lambd):
    """main.py with world size 1: the all_reduce is a no-op, batch_size = the batch."""
    bn = nn.BatchNorm1d(z1.shape[1], affine=False, dtype=z1.dtype)  # training mode
    c = bn(z1).T @ bn(z2)
    c.div_(z1.shape[0])
    on_diag = torch.diagonal(c).add_(-1).pow_(2).sum()
    off_diag = off_diagonal(c).pow_(2).sum()
    return on_diag + lambd * off_diag


@pytest.mark.parametrize("n,d,lambd", [(6, 4, 0.0051), (5, 7, 0.5)])
def test_barlow_twins_matches_main_py(n, d, lambd):
    g = torch.Generator().manual_seed(n + d)
    x1, x2 = 2.0 + 3.0 * _randn(g, n, d), _randn(g, n, d)  # a mean and scale for BN to remove
    a1, a2 = x1.clone().requires_grad_(), x2.clone().requires_grad_()
    b1, b2 = x1.clone().requires_grad_(), x2.clone().requires_grad_()
    ours = barlow_twins_loss(a1, a2, lambd=lambd)
    ref = naive_barlow(b1, b2, lambd)
    assert ours.item() == pytest.approx(ref.item(), rel=1e-12)
    ours.backward()
    ref.backward()
    _grads_equal(a1.grad, b1.grad)
    _grads_equal(a2.grad, b2.grad)
    # gather=True without a process group is the same one-process loss
    assert barlow_twins_loss(x1, x2, lambd, gather=True).item() == pytest.approx(ours.item())


# --- SwAV: main_swav.py distributed_sinkhorn and the loss loop of train() -------------------

def naive_sinkhorn(out, epsilon, sinkhorn_iterations):
    """main_swav.py distributed_sinkhorn, transcribed: dist.all_reduce over the process group
    when one is active (the official code always has one), a no-op on one rank."""
    active = torch.distributed.is_available() and torch.distributed.is_initialized()
    world_size = torch.distributed.get_world_size() if active else 1
    reduce = torch.distributed.all_reduce if active else (lambda t: None)
    with torch.no_grad():
        Q = torch.exp(out / epsilon).t()
        B = Q.shape[1] * world_size
        K = Q.shape[0]
        sum_Q = torch.sum(Q)
        reduce(sum_Q)
        Q /= sum_Q
        for _ in range(sinkhorn_iterations):
            sum_of_rows = torch.sum(Q, dim=1, keepdim=True)
            reduce(sum_of_rows)
            Q /= sum_of_rows
            Q /= K
            Q /= torch.sum(Q, dim=0, keepdim=True)
            Q /= B
        Q *= B
        return Q.t()


@pytest.mark.parametrize("iters,eps", [(0, 0.05), (1, 0.1), (3, 0.05)])
def test_sinkhorn_matches_distributed_sinkhorn(iters, eps):
    g = torch.Generator().manual_seed(iters)
    scores = F.normalize(_randn(g, 6, 8), dim=1) @ F.normalize(_randn(g, 5, 8), dim=1).t()
    ours = sinkhorn(scores, epsilon=eps, iterations=iters)
    torch.testing.assert_close(ours, naive_sinkhorn(scores, eps, iters), atol=0, rtol=1e-10)
    assert ours.shape == (6, 5) and not ours.requires_grad


def test_sinkhorn_marginals():
    g = torch.Generator().manual_seed(11)
    b, k = 6, 3
    scores = _randn(g, b, k)
    q = sinkhorn(scores, epsilon=0.5, iterations=3)
    # the last step normalises the samples: each code is a distribution over the prototypes
    torch.testing.assert_close(q.sum(dim=1), torch.ones(b, dtype=F64), atol=1e-12, rtol=0)
    # the prototype marginals (B/K each after the final *B) are only reached in the limit
    assert not torch.allclose(q.sum(dim=0), torch.full((k,), b / k, dtype=F64), atol=1e-3)
    q = sinkhorn(scores, epsilon=0.5, iterations=300)
    torch.testing.assert_close(q.sum(dim=0), torch.full((k,), b / k, dtype=F64), atol=1e-9, rtol=0)
    # float32 scores in [4, 5] with eps 0.05: exp(100) overflows in the literal code, not here
    big = 4.0 + torch.rand(b, k, generator=g)
    assert torch.isfinite(sinkhorn(big, epsilon=0.05)).all()
    assert not torch.isfinite(naive_sinkhorn(big, 0.05, 3)).all()
    torch.testing.assert_close(sinkhorn(big, epsilon=0.05),
                               naive_sinkhorn(big.double(), 0.05, 3).float())


def naive_swav(output, bs, nmb_crops, crops_for_assign, temperature, epsilon, iters):
    """The swav loss block of main_swav.py train(), without the queue."""
    loss = 0
    for crop_id in crops_for_assign:
        with torch.no_grad():
            out = output[bs * crop_id: bs * (crop_id + 1)].detach()
            q = naive_sinkhorn(out, epsilon, iters)[-bs:]
        subloss = 0
        for v in [u for u in range(sum(nmb_crops)) if u != crop_id]:  # np.delete(arange, crop_id)
            x = output[bs * v: bs * (v + 1)] / temperature
            subloss -= torch.mean(torch.sum(q * F.log_softmax(x, dim=1), dim=1))
        loss += subloss / (sum(nmb_crops) - 1)
    loss /= len(crops_for_assign)
    return loss


def test_swav_matches_main_swav_loop():
    g = torch.Generator().manual_seed(2)
    bs, k, nmb_crops, assign = 3, 4, [2, 2], [0, 1]
    output = _randn(g, bs * sum(nmb_crops), k)
    a, b = output.clone().requires_grad_(), output.clone().requires_grad_()
    crops = a.chunk(sum(nmb_crops))
    ours = 0
    for crop_id in assign:
        codes = sinkhorn(crops[crop_id], epsilon=0.05, iterations=3)
        terms = [swav_loss(crops[v], codes, temperature=0.1)
                 for v in range(sum(nmb_crops)) if v != crop_id]
        ours = ours + sum(terms) / len(terms)
    ours = ours / len(assign)
    ref = naive_swav(b, bs, nmb_crops, assign, 0.1, 0.05, 3)
    assert ours.item() == pytest.approx(ref.item(), rel=1e-12)
    ours.backward()
    ref.backward()
    _grads_equal(a.grad, b.grad)


# --- DINO: main_dino.py DINOLoss ---------------------------------------------------------------

class NaiveDINOLoss(nn.Module):
    """DINOLoss with the epoch's teacher temperature given and world size 1."""

    def __init__(self, out_dim, ncrops, teacher_temp, student_temp=0.1, center_momentum=0.9):
        super().__init__()
        self.student_temp, self.teacher_temp = student_temp, teacher_temp
        self.center_momentum, self.ncrops = center_momentum, ncrops
        self.register_buffer("center", torch.zeros(1, out_dim, dtype=F64))

    def forward(self, student_output, teacher_output):
        student_out = student_output / self.student_temp
        student_out = student_out.chunk(self.ncrops)
        teacher_out = F.softmax((teacher_output - self.center) / self.teacher_temp, dim=-1)
        teacher_out = teacher_out.detach().chunk(2)
        total_loss = 0
        n_loss_terms = 0
        for iq, q in enumerate(teacher_out):
            for v in range(len(student_out)):
                if v == iq:
                    continue
                loss = torch.sum(-q * F.log_softmax(student_out[v], dim=-1), dim=-1)
                total_loss += loss.mean()
                n_loss_terms += 1
        total_loss /= n_loss_terms
        self.update_center(teacher_output)
        return total_loss

    @torch.no_grad()
    def update_center(self, teacher_output):
        batch_center = torch.sum(teacher_output, dim=0, keepdim=True)
        batch_center = batch_center / (len(teacher_output) * 1)
        self.center = self.center * self.center_momentum + batch_center * (1 - self.center_momentum)


def test_dino_matches_dinoloss_and_center():
    g = torch.Generator().manual_seed(4)
    bs, k, ncrops = 3, 6, 4
    student, teacher = _randn(g, bs * ncrops, k), _randn(g, bs * 2, k)
    ref_mod = NaiveDINOLoss(k, ncrops, teacher_temp=0.04)
    ref_mod.center = 0.3 * _randn(g, 1, k)  # a non-zero centre, as after some steps
    center = ref_mod.center.clone()
    a, b = student.clone().requires_grad_(), student.clone().requires_grad_()
    t = teacher.clone().requires_grad_()
    s_chunks, t_chunks = a.chunk(ncrops), t.chunk(2)
    terms = [dino_loss(s_chunks[v], t_chunks[iq], center)
             for iq in range(2) for v in range(ncrops) if v != iq]
    ours = sum(terms) / len(terms)
    ref = ref_mod(b, teacher)
    assert ours.item() == pytest.approx(ref.item(), rel=1e-12)
    ours.backward()
    ref.backward()
    _grads_equal(a.grad, b.grad)
    assert t.grad is None
    new_center = dino_center_update(center, teacher, momentum=0.9)
    assert new_center.shape == (1, k)
    torch.testing.assert_close(new_center, ref_mod.center, atol=1e-15, rtol=0)
    flat = dino_center_update(center.view(k), teacher, momentum=0.9)  # a [K] centre stays [K]
    torch.testing.assert_close(flat, ref_mod.center.view(k), atol=1e-15, rtol=0)


# --- MAE: models_mae.py patchify and forward_loss ---------------------------------------------

def naive_patchify(imgs, p):
    x = imgs.reshape(shape=(imgs.shape[0], 3, imgs.shape[2] // p, p, imgs.shape[3] // p, p))
    x = torch.einsum("nchpwq->nhwpqc", x)
    return x.reshape(shape=(imgs.shape[0], (imgs.shape[2] // p) ** 2, p ** 2 * 3))


def naive_forward_loss(imgs, pred, mask, p, norm_pix_loss):
    target = naive_patchify(imgs, p)
    if norm_pix_loss:
        mean = target.mean(dim=-1, keepdim=True)
        var = target.var(dim=-1, keepdim=True)
        target = (target - mean) / (var + 1.e-6) ** .5
    loss = (pred - target) ** 2
    loss = loss.mean(dim=-1)
    loss = (loss * mask).sum() / mask.sum()
    return loss


def test_patchify_pixel_layout():
    g = torch.Generator().manual_seed(8)
    imgs, p = _randn(g, 2, 3, 4, 4), 2
    x = patchify(imgs, p)
    torch.testing.assert_close(x, naive_patchify(imgs, p), atol=0, rtol=0)
    # patch (i, j) is row i*w + j; inside it, pixel (u, v), channel c is column (u*p + v)*3 + c
    for i in range(2):
        for j in range(2):
            for u in range(p):
                for v in range(p):
                    for c in range(3):
                        pixel = imgs[1, c, i * p + u, j * p + v]
                        assert x[1, i * 2 + j, (u * p + v) * 3 + c] == pixel
    with pytest.raises(ValueError):
        patchify(imgs, 3)


@pytest.mark.parametrize("norm_pix", [True, False])
def test_mae_matches_forward_loss(norm_pix):
    g = torch.Generator().manual_seed(9)
    n, p = 2, 2
    imgs = _randn(g, n, 3, 6, 6)
    L = 9
    pred0 = _randn(g, n, L, p * p * 3)
    mask = (torch.rand(n, L, generator=g) < 0.75).to(F64)
    mask[:, 0] = 1.0
    a, b = pred0.clone().requires_grad_(), pred0.clone().requires_grad_()
    patches = patchify(imgs, p).requires_grad_()
    ours = mae_loss(a, patches, mask, norm_pix=norm_pix)
    ref = naive_forward_loss(imgs, b, mask, p, norm_pix)
    assert ours.item() == pytest.approx(ref.item(), rel=1e-12)
    ours.backward()
    ref.backward()
    _grads_equal(a.grad, b.grad)
    assert patches.grad is None  # the target is data
    if norm_pix:  # the unbiased variance matters: a biased one is a different loss
        t = patchify(imgs, p)
        var_biased = t.var(-1, unbiased=False, keepdim=True)
        biased = (t - t.mean(-1, keepdim=True)) / (var_biased + 1e-6) ** .5
        other = mae_loss(a, biased, mask, norm_pix=False)
        assert other.item() != pytest.approx(ours.item(), rel=1e-3)


def test_half_precision_inputs_give_float32_losses():
    g = torch.Generator().manual_seed(12)
    a, b = torch.randn(4, 6, generator=g), torch.randn(4, 6, generator=g)
    queue = F.normalize(torch.randn(8, 6, generator=g), dim=1)
    pairs = [
        (lambda x, y: infonce_queue_loss(x, y, queue), 1e-2),
        (byol_loss, 1e-2),
        (barlow_twins_loss, 5e-2),
        (lambda x, y: swav_loss(x, sinkhorn(y, epsilon=0.5)), 2e-2),
        (lambda x, y: dino_loss(x, y, torch.zeros(6)), 5e-2),
        (lambda x, y: mae_loss(x[None], y[None], torch.ones(1, 4)), 2e-2),
    ]
    for fn, rel in pairs:
        half = fn(a.bfloat16(), b.bfloat16())
        assert half.dtype == torch.float32
        assert half.item() == pytest.approx(fn(a, b).item(), rel=rel)
