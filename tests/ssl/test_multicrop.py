"""SwAV and DINO against transcriptions of their official loops (main_swav.py `train`,
main_dino.py `train_one_epoch` / DINOLoss / utils), multi-crop views and forward, the schedules
against their formulas, and the config checks. Kill-and-resume is in test_methods.py."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from papernotes.ssl.config import ConfigError, config_from_dict
from papernotes.ssl.losses_clustering import dino_loss
from papernotes.ssl.methods import build_method
from papernotes.ssl.methods.dino import DINOHead, WeightNormLinear, cosine_schedule, dino_multicrop_loss, teacher_temp
from papernotes.ssl.views.multicrop import Crop, crops_of, forward_by_resolution, multicrop_views
from tests.ssl.test_losses_family import naive_sinkhorn

BS = 4


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny float64 networks: one thread is ~7x faster than two on a loaded 2-core machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def tiny(method: str, batch: int = BS, **section) -> dict:
    options = {
        "swav": {"nmb_crops": [2, 3], "size_crops": [16, 8], "min_scale_crops": [0.3, 0.1],
                 "max_scale_crops": [1.0, 0.3], "feat_dim": 8, "nmb_prototypes": 6, "hidden_mlp": 16,
                 "queue_length": 8, "epoch_queue_starts": 1, "freeze_prototypes_niters": 2},
        "dino": {"out_dim": 12, "hidden_dim": 16, "bottleneck_dim": 8, "local_crops_number": 3,
                 "local_crops_size": 8},
    }[method]
    return {"method": method, method: {**options, **section},
            "data": {"num_train": 64, "num_test": 16, "image_size": 16},
            "model": {"base_channels": 4, "cifar_stem": False},
            "train": {"epochs": 4, "batch_size": batch, "device": "cpu"}}


def build(method: str, batch: int = BS, **section):
    torch.manual_seed(0)
    return build_method(config_from_dict(tiny(method, batch, **section))).double()


def images(seed: int, n: int = BS) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (n, 3, 16, 16), generator=g, dtype=torch.uint8)


def views_of(method, step: int, rank: int = 0):
    g = torch.Generator().manual_seed(1000 * step + rank)
    return [v.double() for v in method.views(images(step * 7 + rank), g)]


# --- multi-crop views and forward -----------------------------------------------------------

def test_multicrop_views_shapes_order_and_independence():
    cfg = config_from_dict(tiny("swav"))
    crops = [Crop(16, (0.4, 1.0))] * 2 + [Crop(8, (0.05, 0.4))] * 3
    x = images(0)
    views = multicrop_views(x, cfg.aug, crops, torch.Generator().manual_seed(0))
    assert [tuple(v.shape) for v in views] == [(BS, 3, 16, 16)] * 2 + [(BS, 3, 8, 8)] * 3
    assert all(v.dtype == torch.float32 and 0 <= v.min() and v.max() <= 1 for v in views)
    # the three local crops are drawn in one batched call, each with its own parameters
    assert not torch.equal(views[2], views[3]) and not torch.equal(views[3], views[4])
    again = multicrop_views(x, cfg.aug, crops, torch.Generator().manual_seed(0))
    assert all(torch.equal(a, b) for a, b in zip(views, again))  # a pure function of the generator
    assert crops_of([2, 3], [16, 8], [(0.4, 1.0), (0.05, 0.4)]) == crops


def test_multicrop_views_honour_each_crops_solarisation():
    # constant mid-grey images: only solarisation (1 - x above 0.5) moves a pixel across 0.5
    from dataclasses import replace
    cfg = config_from_dict(tiny("swav"))
    aug = replace(cfg.aug, color_strength=0.0, brightness=0.0, contrast=0.0, saturation=0.0, hue=0.0,
                  solarize_prob=(0.0, 1.0, 0.0))
    x = torch.full((BS, 3, 16, 16), 200, dtype=torch.uint8)
    views = multicrop_views(x, aug, [Crop(16, (0.4, 1.0))] * 2 + [Crop(8, (0.1, 0.4))] * 2, torch.Generator())
    assert all((v > 0.5).all() for v in (views[0], views[2], views[3]))
    assert (views[1] < 0.5).all()


def test_forward_by_resolution_is_one_pass_per_resolution_group():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.AdaptiveAvgPool2d(1), nn.Flatten())
    g = torch.Generator().manual_seed(1)
    views = [torch.rand(3, 3, s, s, generator=g) for s in (16, 16, 8, 8, 8)]
    calls = []
    net.register_forward_pre_hook(lambda mod, inp: calls.append(tuple(inp[0].shape)))
    out = forward_by_resolution(net, views)
    assert calls == [(6, 3, 16, 16), (9, 3, 8, 8)]  # BN statistics per group, as MultiCropWrapper
    ref = torch.cat([net(torch.cat(views[:2])), net(torch.cat(views[2:]))])
    torch.testing.assert_close(out, ref, atol=0, rtol=0)


# --- SwAV: main_swav.py train() with its queue ------------------------------------------------

def official_swav_step(method, views, queue, use_the_queue, args):
    """The loss block of main_swav.py train() for one iteration, on `method`'s networks: returns
    (loss, queue, use_the_queue). `queue` is this rank's [A, L/W, D] or None."""
    with torch.no_grad():  # normalize the prototypes (a no-op here: after_step already did)
        w = method.prototypes.weight.data.clone()
        method.prototypes.weight.copy_(F.normalize(w, dim=1, p=2))
    h = forward_by_resolution(method.encoder, views)
    embedding = F.normalize(method.projector(h), dim=1, p=2)
    output = method.prototypes(embedding)
    embedding = embedding.detach()
    bs = views[0].size(0)
    loss = 0
    for i, crop_id in enumerate(args.crops_for_assign):
        with torch.no_grad():
            out = output[bs * crop_id: bs * (crop_id + 1)].detach()
            if queue is not None:
                if use_the_queue or not torch.all(queue[i, -1, :] == 0):
                    use_the_queue = True
                    out = torch.cat((torch.mm(queue[i], method.prototypes.weight.t()), out))
                queue[i, bs:] = queue[i, :-bs].clone()
                queue[i, :bs] = embedding[crop_id * bs: (crop_id + 1) * bs]
            q = naive_sinkhorn(out, args.epsilon, args.sinkhorn_iterations)[-bs:]
        subloss = 0
        for v in np.delete(np.arange(np.sum(args.nmb_crops)), crop_id):
            x = output[bs * v: bs * (v + 1)] / args.temperature
            subloss -= torch.mean(torch.sum(q * F.log_softmax(x, dim=1), dim=1))
        loss += subloss / (np.sum(args.nmb_crops) - 1)
    loss /= len(args.crops_for_assign)
    return loss, queue, use_the_queue


def run_swav_against_official(method, steps: int, spe: int, rank: int = 0, world: int = 1):
    """Both loops side by side on the same networks (no optimiser step: the weights stay put, so
    any difference is in the queue, the codes or the loss). Returns the queue-use flags."""
    args = method.cfg.method_cfg
    method.configure(steps, spe)
    queue, used = None, []
    for step in range(steps):
        epoch, it = divmod(step, spe)
        if it == 0:
            use_the_queue = False  # train() starts every epoch with it False
        if args.queue_length > 0 and epoch >= args.epoch_queue_starts and queue is None:
            queue = torch.zeros(len(args.crops_for_assign), args.queue_length // world, args.feat_dim,
                                dtype=torch.float64)
        views = views_of(method, step, rank)
        ref, queue, use_the_queue = official_swav_step(method, views, queue, use_the_queue, args)
        used.append(use_the_queue)
        loss, feats = method(views, step)
        torch.testing.assert_close(loss, ref, atol=1e-12, rtol=1e-12)
        assert feats.shape == (args.nmb_crops[0] * BS, method.feature_dim)
        method.after_step(step)
        if queue is not None:
            part = args.queue_length // world
            torch.testing.assert_close(method.queue[:, rank * part:(rank + 1) * part], queue, atol=0, rtol=0)
    return used


def test_swav_loss_and_queue_are_main_swav_train():
    method = build("swav")
    # 2 steps per epoch: the queue (8 = 2 batches) fills in epoch 1 and is read from step 4 on
    used = run_swav_against_official(method, steps=7, spe=2)
    assert used == [False, False, False, False, True, True, True]
    assert method.queue.abs().sum(dim=-1).gt(0).all()  # full


def test_swav_without_queue_and_every_crop_assigned():
    method = build("swav", queue_length=0, crops_for_assign=[0, 1, 3])
    assert run_swav_against_official(method, steps=2, spe=1) == [False, False]
    assert method.queue.shape == (3, 0, 8)


def test_swav_prototypes_frozen_then_trained_and_normalised():
    method = build("swav")
    assert torch.allclose(method.prototypes.weight.norm(dim=1), torch.ones(6, dtype=torch.float64))
    for step, frozen in [(0, True), (1, True), (2, False)]:
        loss, _ = method(views_of(method, step), step)
        loss.backward()
        method.after_backward(step)
        assert (method.prototypes.weight.grad is None) == frozen
        assert method.projector[0].weight.grad is not None
        with torch.no_grad():
            method.prototypes.weight.mul_(3.0)
        method.after_step(step)
        torch.testing.assert_close(method.prototypes.weight.norm(dim=1), torch.ones(6, dtype=torch.float64))
        method.zero_grad(set_to_none=True)


def swav_method_over_ranks(rank: int) -> dict:
    """Run inside test_losses_family_ddp.py's two gloo ranks (one spawn for both files): the
    method and the official loop side by side on rank-specific views, global batch 2 x BS,
    8 queue rows per rank (asserted step by step in run_swav_against_official)."""
    torch.set_num_threads(1)
    method = build("swav", batch=2 * BS, queue_length=16)
    used = run_swav_against_official(method, steps=6, spe=2, rank=rank, world=2)
    return {"swav_queue": method.queue, "swav_used": torch.tensor(used)}


# --- DINO: main_dino.py ------------------------------------------------------------------------

def official_cosine_scheduler(base_value, final_value, epochs, niter_per_ep, warmup_epochs=0, start_warmup_value=0):
    warmup_schedule = np.array([])
    warmup_iters = warmup_epochs * niter_per_ep
    if warmup_epochs > 0:
        warmup_schedule = np.linspace(start_warmup_value, base_value, warmup_iters)
    iters = np.arange(epochs * niter_per_ep - warmup_iters)
    schedule = final_value + 0.5 * (base_value - final_value) * (1 + np.cos(np.pi * iters / len(iters)))
    schedule = np.concatenate((warmup_schedule, schedule))
    assert len(schedule) == epochs * niter_per_ep
    return schedule


@pytest.mark.parametrize("base,final,epochs,niter,warmup,start", [
    (0.996, 1.0, 5, 7, 0, 0.0), (0.9995, 1.0, 3, 1, 0, 0.0), (5e-4, 1e-6, 6, 4, 2, 0.0), (1.0, 0.0, 4, 3, 1, 0.3)])
def test_cosine_schedule_is_utils_cosine_scheduler(base, final, epochs, niter, warmup, start):
    ref = official_cosine_scheduler(base, final, epochs, niter, warmup, start)
    ours = [cosine_schedule(it, epochs * niter, base, final, warmup * niter, start) for it in range(epochs * niter)]
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-15)


@pytest.mark.parametrize("warm,temp,warm_epochs,epochs", [(0.04, 0.07, 30, 100), (0.04, 0.04, 0, 10),
                                                           (0.04, 0.07, 1, 3), (0.02, 0.07, 5, 5)])
def test_teacher_temperature_is_dinoloss_schedule(warm, temp, warm_epochs, epochs):
    ref = np.concatenate((np.linspace(warm, temp, warm_epochs), np.ones(epochs - warm_epochs) * temp))
    ours = [teacher_temp(e, warm, temp, warm_epochs) for e in range(epochs)]
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-15)


def test_dino_multicrop_loss_is_the_mean_of_the_pair_terms():
    g = torch.Generator().manual_seed(3)
    s, t, c = (torch.randn(n, 7, generator=g, dtype=torch.float64) for n in (5 * 3, 2 * 3, 1))
    pairs = [dino_loss(s.chunk(5)[v], t.chunk(2)[iq], c, 0.1, 0.05) for iq in range(2) for v in range(5) if v != iq]
    ours = dino_multicrop_loss(s, t, c, 5, 0.1, 0.05)
    torch.testing.assert_close(ours, sum(pairs) / len(pairs), atol=1e-12, rtol=1e-12)


def test_weight_norm_linear_is_torch_weight_norm():
    torch.manual_seed(0)
    ours = WeightNormLinear(5, 7)
    with torch.no_grad():
        ours.weight_g.uniform_(0.5, 2.0)
    ref = nn.Linear(5, 7, bias=False)
    with torch.no_grad():
        ref.weight.copy_(ours.weight_v)
    ref = torch.nn.utils.parametrizations.weight_norm(ref)
    with torch.no_grad():
        ref.parametrizations.weight.original0.copy_(ours.weight_g)
    x = torch.randn(3, 5)
    torch.testing.assert_close(ours(x), ref(x))
    head = DINOHead(6, 9, hidden_dim=8, bottleneck_dim=4)
    assert not head.last_layer.weight_g.requires_grad and torch.equal(head.last_layer.weight_g, torch.ones(9, 1))
    assert DINOHead(6, 9, norm_last_layer=False, hidden_dim=8, bottleneck_dim=4).last_layer.weight_g.requires_grad


def test_dino_step_is_train_one_epoch():
    """One iteration of main_dino.py train_one_epoch (loss, clip, last-layer freeze, SGD step,
    EMA, centre) on copies of the method's networks, against the method through the seam."""
    method = build("dino", warmup_teacher_temp_epochs=3, teacher_temp=0.07, clip_grad=0.05)
    mc = method.cfg.method_cfg
    spe, epochs = 2, 4
    method.configure(epochs * spe, spe)
    student = nn.ModuleDict({"encoder": copy.deepcopy(method.encoder), "head": copy.deepcopy(method.head)})
    teacher = nn.ModuleDict({"encoder": copy.deepcopy(method.teacher_encoder),
                             "head": copy.deepcopy(method.teacher_head)})
    center = torch.zeros(1, mc.out_dim, dtype=torch.float64)
    momentum_schedule = official_cosine_scheduler(mc.momentum_teacher, 1, epochs, spe)
    temps = np.concatenate((np.linspace(mc.warmup_teacher_temp, mc.teacher_temp, mc.warmup_teacher_temp_epochs),
                            np.ones(epochs - mc.warmup_teacher_temp_epochs) * mc.teacher_temp))
    opt_ref = torch.optim.SGD([p for p in student.parameters() if p.requires_grad], lr=0.1, momentum=0.9)
    opt = torch.optim.SGD([p for n, p in method.named_parameters() if p.requires_grad
                           and n.startswith(("encoder.", "head."))], lr=0.1, momentum=0.9)
    for it in (0, 1, 2, 3):
        epoch = it // spe
        views = views_of(method, it)
        seen = []
        hook = method.teacher_encoder.register_forward_pre_hook(lambda m, inp, seen=seen: seen.append(inp[0].shape[-1]))
        # --- official
        teacher_output = teacher["head"](forward_by_resolution(teacher["encoder"], views[:2])).detach()
        student_output = student["head"](forward_by_resolution(student["encoder"], views))
        temp = temps[epoch]
        t = F.softmax((teacher_output - center) / temp, dim=-1).detach().chunk(2)
        s = (student_output / mc.student_temp).chunk(len(views))
        total, n_terms = 0, 0
        for iq, q in enumerate(t):
            for v in range(len(s)):
                if v != iq:
                    total += torch.sum(-q * F.log_softmax(s[v], dim=-1), dim=-1).mean()
                    n_terms += 1
        ref_loss = total / n_terms
        batch_center = torch.sum(teacher_output, dim=0, keepdim=True) / len(teacher_output)
        center = center * mc.center_momentum + batch_center * (1 - mc.center_momentum)
        opt_ref.zero_grad()
        ref_loss.backward()
        for p in student.parameters():  # utils.clip_gradients
            if p.grad is not None:
                clip_coef = mc.clip_grad / (p.grad.data.norm(2) + 1e-6)
                if clip_coef < 1:
                    p.grad.data.mul_(clip_coef)
        if epoch < mc.freeze_last_layer:  # utils.cancel_gradients_last_layer
            for n, p in student.named_parameters():
                if "last_layer" in n:
                    p.grad = None
        opt_ref.step()
        with torch.no_grad():
            m = momentum_schedule[it]
            for param_q, param_k in zip(student.parameters(), teacher.parameters()):
                param_k.data.mul_(m).add_((1 - m) * param_q.detach().data)
        # --- ours, through the seam
        loss, feats = method(views, it)
        hook.remove()
        assert seen == [16]  # the teacher saw the two global crops, in one pass
        assert feats.shape == (2 * BS, method.feature_dim)
        torch.testing.assert_close(loss, ref_loss, atol=1e-10, rtol=1e-10)
        opt.zero_grad()
        loss.backward()
        method.after_backward(it)
        assert (method.head.last_layer.weight_v.grad is None) == (epoch < mc.freeze_last_layer)
        opt.step()
        method.after_step(it)
        torch.testing.assert_close(method.center, center, atol=1e-12, rtol=0)
        for (name, a), b in zip(method.teacher_head.named_parameters(), teacher["head"].parameters()):
            torch.testing.assert_close(a, b, atol=1e-10, rtol=1e-9, msg=name)
        for a, b in zip(method.encoder.parameters(), student["encoder"].parameters()):
            torch.testing.assert_close(a, b, atol=1e-10, rtol=1e-9)
    assert method.eval_encoder() is method.teacher_encoder


# --- config checks -----------------------------------------------------------------------------

@pytest.mark.parametrize("method, patch, field", [
    ("swav", {"size_crops": [16]}, "swav.size_crops"),  # one size for two groups
    ("swav", {"max_scale_crops": [1.0]}, "swav.max_scale_crops"),
    ("swav", {"size_crops": [32, 8]}, "swav.size_crops"),  # above data.image_size 16
    ("swav", {"size_crops": [8, 16]}, "swav.size_crops"),  # a local crop larger than the global
    ("swav", {"min_scale_crops": [0.3, 0.5]}, "swav.min_scale_crops[1]"),  # min > max (0.3)
    ("swav", {"nmb_crops": [1, 0]}, "swav.nmb_crops"),
    ("swav", {"crops_for_assign": [0, 5]}, "swav.crops_for_assign"),  # 5 crops: 0..4
    ("swav", {"queue_length": 6}, "swav.queue_length"),  # not a multiple of the batch (4)
    ("swav", {"queue_length": 128}, "swav.queue_length"),  # longer than the 64 images
    ("swav", {"epsilon": 0.0}, "swav.epsilon"),
    ("dino", {"local_crops_size": 24}, "dino.local_crops_size"),  # above data.image_size 16
    ("dino", {"local_crops_scale": [0.4, 0.05]}, "dino.local_crops_scale"),
    ("dino", {"global_crops_scale": [0.4]}, "dino.global_crops_scale"),
    ("dino", {"warmup_teacher_temp_epochs": 5}, "dino.warmup_teacher_temp_epochs"),  # 4 epochs
    ("dino", {"momentum_teacher": 1.0}, "dino.momentum_teacher"),
    ("dino", {"clip_grad": -1.0}, "dino.clip_grad"),
])
def test_bad_multicrop_options_name_their_field(method, patch, field):
    with pytest.raises(ConfigError) as err:
        config_from_dict(tiny(method, **patch))
    assert err.value.field == field


def test_dino_without_local_crops_needs_no_local_size():
    cfg = config_from_dict(tiny("dino", local_crops_number=0, local_crops_size=96))
    method = build_method(cfg)
    assert [c.size for c in method.crops] == [16, 16]
    assert math.isclose(method.momentum_at(0), 0.996)
