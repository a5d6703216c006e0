"""The SimCLR view distribution: sampled parameters follow the specified distributions
(KS statistics and rates with fixed seeds), each op matches torchvision's per-image reference
for fixed parameters, and the batched pipeline is reproducible from a generator."""

import math

import pytest
import torch
import torchvision.transforms.v2.functional as TF
from torchvision.transforms import InterpolationMode

from papernotes.ssl.config import AugConfig
from papernotes.ssl.views import augment as A
from papernotes.ssl.views import image_ops as I


def ks_uniform(x: torch.Tensor, lo: float, hi: float) -> float:
    """Kolmogorov-Smirnov statistic of the sample against U[lo, hi]."""
    u = ((x.double().flatten().sort().values - lo) / (hi - lo)).clamp(0, 1)
    n = u.numel()
    i = torch.arange(1, n + 1, dtype=torch.float64)
    return max((i / n - u).max().item(), (u - (i - 1) / n).max().item())


def ks_crit(n: int) -> float:
    return 1.63 / math.sqrt(n)  # alpha = 0.01


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


# ---- parameter distributions ---------------------------------------------------------------

def test_crop_area_and_aspect_distribution():
    n, side = 20000, 224
    b = A.sample_crop_params(n, side, side, generator=gen(1))
    x0, y0, w, h = b.unbind(1)
    assert torch.equal(b, b.round())
    assert (x0 >= 0).all() and (y0 >= 0).all()
    assert (x0 + w <= side).all() and (y0 + h <= side).all()
    area = w * h / side**2
    aspect = w / h
    assert area.min() >= 0.08 - 0.01 and area.max() <= 1.0
    assert aspect.min() >= 0.75 - 0.02 and aspect.max() <= 4 / 3 + 0.02
    # below area 0.75 every aspect fits, so there the accepted boxes are the proposal itself:
    # area ~ U[0.08, 0.7], log-aspect ~ U[log 3/4, log 4/3]
    small = area < 0.7
    assert small.sum() > 0.6 * n
    assert ks_uniform(area[small], 0.08, 0.7) < ks_crit(int(small.sum())) + 0.005  # rounding
    la = torch.log(aspect[small])
    assert ks_uniform(la, math.log(3 / 4), math.log(4 / 3)) < ks_crit(int(small.sum())) + 0.01
    # a KS test can fail: a wrong law (uniform aspect instead of log-uniform) is rejected
    wrong = torch.empty(20000).uniform_(0.75, 4 / 3, generator=gen(2))
    assert ks_uniform(torch.log(wrong), math.log(3 / 4), math.log(4 / 3)) > ks_crit(20000)
    # offsets uniform over the valid positions: centre of mass of x0 / (W - w) ~ 1/2
    free = (side - w).clamp(min=1)
    assert abs((x0 / free).mean().item() - 0.5) < 0.02


def test_crop_falls_back_to_centre_crop():
    # a 2 x 200 strip: no box of area >= 32 px with aspect in [3/4, 4/3] has height <= 2
    b = A.sample_crop_params(50, 2, 200, generator=gen(3))
    expected = torch.tensor([98.0, 0.0, 3.0, 2.0])  # w = round(2 * 4/3), centred
    assert torch.equal(b, expected.expand(50, 4))


def test_flip_and_color_rates_and_laws():
    n = 24000
    assert abs(A.sample_flip(n, gen(4)).float().mean().item() - 0.5) < 0.015
    s = 0.5
    p = A.sample_color_params(n, (0.8 * s, 0.8 * s, 0.8 * s, 0.2 * s), gen(5))
    assert abs(p.apply.float().mean().item() - 0.8) < 0.012
    assert abs(p.gray.float().mean().item() - 0.2) < 0.012
    crit = ks_crit(n)
    assert ks_uniform(p.factors[:, A.BRIGHTNESS], 1 - 0.8 * s, 1 + 0.8 * s) < crit
    assert ks_uniform(p.factors[:, A.CONTRAST], 1 - 0.8 * s, 1 + 0.8 * s) < crit
    assert ks_uniform(p.factors[:, A.SATURATION], 1 - 0.8 * s, 1 + 0.8 * s) < crit
    assert ks_uniform(p.factors[:, A.HUE], -0.2 * s, 0.2 * s) < crit
    # strength 1: brightness lower bound max(0, 1 - 0.8) = 0.2
    p1 = A.sample_color_params(4000, (0.8, 0.8, 0.8, 0.2), gen(6))
    assert p1.factors[:, 0].min() >= 0.2 and p1.factors[:, 0].max() <= 1.8
    assert p1.factors[:, 3].abs().max() <= 0.2
    # order: a permutation per sample, all 24 equally likely
    assert torch.equal(p.order.sort(dim=1).values, torch.arange(4).expand(n, 4))
    codes = (p.order * torch.tensor([64, 16, 4, 1])).sum(1)
    counts = torch.bincount(codes, minlength=256)[codes.unique()]
    assert counts.numel() == 24
    chi2 = ((counts.double() - n / 24) ** 2 / (n / 24)).sum().item()
    assert chi2 < 49.7  # chi-square, 23 dof, alpha 0.001


def test_blur_params_and_kernel_size():
    use, sigma = A.sample_blur_params(20000, gen(7))
    assert abs(use.float().mean().item() - 0.5) < 0.015
    assert ks_uniform(sigma, 0.1, 2.0) < ks_crit(20000)
    # data_util.py: kernel_size = side // 10, radius = kernel_size // 2, taps 2 * radius + 1
    assert [A.blur_kernel_size(s) for s in (224, 96, 32)] == [23, 9, 3]


# ---- ops against torchvision's per-image reference -----------------------------------------

def images(n=6, side=16, seed=8):
    x = torch.rand(n, 3, side, side, generator=gen(seed))
    x[0, :, :4] = 0.5  # grey patch (hue undefined), saturated edges below
    x[1, 0] = 1.0
    return x


@pytest.mark.parametrize("ours,ref", [
    (I.adjust_brightness, TF.adjust_brightness),
    (I.adjust_contrast, TF.adjust_contrast),
    (I.adjust_saturation, TF.adjust_saturation),
])
def test_blend_ops_match_torchvision(ours, ref):
    x = images()
    f = torch.tensor([0.2, 0.6, 1.0, 1.4, 1.8, 0.0])
    out = ours(x, f)
    for i in range(len(f)):
        torch.testing.assert_close(out[i], ref(x[i], float(f[i])), atol=1e-6, rtol=0)


def test_hue_and_grayscale_match_torchvision():
    x = images()
    d = torch.tensor([-0.5, -0.2, -0.05, 0.0, 0.1, 0.45])
    out = I.adjust_hue(x, d)
    for i in range(len(d)):
        torch.testing.assert_close(out[i], TF.adjust_hue(x[i], float(d[i])), atol=1e-5, rtol=0)
    g = A.apply_grayscale(x, torch.tensor([True, False, True, False, True, True]))
    torch.testing.assert_close(g[0], TF.rgb_to_grayscale(x[0], num_output_channels=3), atol=1e-6, rtol=0)
    assert torch.equal(g[1], x[1])


def test_crop_resize_flip_matches_resized_crop():
    x = images(n=3, side=32)
    out = 32
    full = torch.tensor([[0.0, 0.0, 32.0, 32.0]] * 3)
    flip = torch.tensor([False, True, False])
    got = I.crop_resize_flip(x, full, flip, 24)  # a downscale of the whole image
    for i in range(3):
        ref = TF.resized_crop(x[i], 0, 0, 32, 32, [24, 24], InterpolationMode.BICUBIC, antialias=False)
        ref = TF.horizontal_flip(ref) if flip[i] else ref
        torch.testing.assert_close(got[i], ref.clamp(0, 1), atol=1e-5, rtol=0)
    # interior crops: identical away from the crop's edge (there the reference replicates the
    # crop's border pixel, we read the real neighbour)
    boxes = torch.tensor([[5.0, 7.0, 12.0, 9.0], [0.0, 3.0, 20.0, 29.0], [10.0, 10.0, 16.0, 16.0]])
    got = I.crop_resize_flip(x, boxes, flip, out)
    for i in range(3):
        x0, y0, w, h = (int(v) for v in boxes[i])
        ref = TF.resized_crop(x[i], y0, x0, h, w, [out, out], InterpolationMode.BICUBIC, antialias=False)
        ref = (TF.horizontal_flip(ref) if flip[i] else ref).clamp(0, 1)
        my = math.ceil(2 * out / h) + 1
        mx = math.ceil(2 * out / w) + 1
        torch.testing.assert_close(got[i][:, my:-my, mx:-mx], ref[:, my:-my, mx:-mx], atol=1e-5, rtol=0)
        assert (got[i] - ref).abs().mean() < 0.05  # edge rows only, on noise images


def test_gaussian_blur_matches_torchvision():
    x = images(n=3, side=32)
    sigma = torch.tensor([0.1, 0.7, 2.0])
    k = 9
    out = I.gaussian_blur(x, sigma, k)
    for i in range(3):
        ref = TF.gaussian_blur(x[i], [k, k], [float(sigma[i])] * 2)
        torch.testing.assert_close(out[i], ref, atol=1e-5, rtol=0)


def test_color_jitter_applies_ops_in_each_samples_order():
    x = images(n=4)
    factors = torch.tensor([[1.3, 0.7, 1.4, 0.08], [0.6, 1.35, 0.65, -0.1],
                            [1.2, 1.2, 0.0, 0.05], [0.5, 0.5, 0.5, 0.1]])
    order = torch.tensor([[3, 0, 2, 1], [0, 1, 2, 3], [2, 3, 1, 0], [1, 2, 3, 0]])
    apply = torch.tensor([True, True, True, False])
    p = A.ColorParams(apply, factors, order, torch.zeros(4, dtype=torch.bool))
    out = A.color_jitter(x, p)
    refs = [lambda im, f: TF.adjust_brightness(im, f), lambda im, f: TF.adjust_contrast(im, f),
            lambda im, f: TF.adjust_saturation(im, f), lambda im, f: TF.adjust_hue(im, f)]
    for i in range(3):
        ref = x[i]
        for op in order[i].tolist():
            ref = refs[op](ref, float(factors[i, op])).clamp(0, 1)
        torch.testing.assert_close(out[i], ref, atol=2e-5, rtol=0)
    assert torch.equal(out[3], x[3])  # jitter not applied: untouched


# ---- the pipeline ----------------------------------------------------------------------------

def test_views_shape_range_and_reproducibility():
    imgs = (images(n=16, side=32) * 255).to(torch.uint8)
    cfg = AugConfig(color_strength=0.5, blur=True)
    v1, v2 = A.two_views(imgs, cfg, 24, gen(9))
    assert v1.shape == v2.shape == (16, 3, 24, 24) and v1.dtype == torch.float32
    assert v1.min() >= 0 and v1.max() <= 1
    assert not torch.equal(v1, v2)
    w1, w2 = A.two_views(imgs, cfg, 24, gen(9))
    assert torch.equal(v1, w1) and torch.equal(v2, w2)
    u1, _ = A.two_views(imgs, cfg, 24, gen(10))
    assert not torch.equal(v1, u1)
    f = A.to_float(imgs)
    assert torch.equal(f, imgs.float() / 255)
    assert A.to_float(imgs, 16).shape == (16, 3, 16, 16)


def test_pipeline_rates_seen_in_the_output():
    # strongly coloured 8x8 images: only the greyscale op makes the three channels equal, and
    # only a flip swaps the left and right halves of a horizontal ramp
    n = 3000
    ramp = torch.linspace(0, 1, 8).view(1, 8).expand(8, 8)
    img = torch.stack([ramp, 1 - ramp, torch.full((8, 8), 0.5)])
    imgs = (img * 255).to(torch.uint8).expand(n, 3, 8, 8).contiguous()
    cfg = AugConfig(color_strength=0.5, crop_min_area=1.0)  # whole image: no crop noise
    v, _ = A.two_views(imgs, cfg, 8, gen(11))
    grey = (v.amax(1) - v.amin(1)).amax(dim=(1, 2)) < 1e-6
    assert abs(grey.float().mean().item() - 0.2) < 0.025
    left, right = v[:, :, :, :4].mean((1, 2, 3)), v[:, :, :, 4:].mean((1, 2, 3))
    coloured = ~grey
    flipped = (v[:, 0, :, 0] > v[:, 0, :, 7]).all(1) & coloured
    assert abs(flipped.float().sum().item() / coloured.sum().item() - 0.5) < 0.04
    # untouched colours (no jitter, no grey) appear in ~ (1 - 0.8) * (1 - 0.2) = 16% of views
    ref = torch.where(flipped.view(-1, 1, 1, 1), img.flip(-1), img)
    same = ((v - ref).abs().amax(dim=(1, 2, 3)) < 0.01)
    assert abs(same.float().mean().item() - 0.16) < 0.03
    assert left.shape == right.shape


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_views_on_cuda_match_cpu_for_the_same_generator():
    # a CPU generator drives the CUDA path, so the parameters (and views) are the same
    imgs = (images(n=32, side=32) * 255).to(torch.uint8)
    cfg = AugConfig(color_strength=1.0, blur=True)
    c1, c2 = A.two_views(imgs, cfg, 24, gen(12))
    g1, g2 = A.two_views(imgs.cuda(), cfg, 24, gen(12))
    assert g1.device.type == "cuda"
    torch.testing.assert_close(g1.cpu(), c1, atol=1e-3, rtol=0)
    torch.testing.assert_close(g2.cpu(), c2, atol=1e-3, rtol=0)
    cg = torch.Generator(device="cuda").manual_seed(0)
    v1, _ = A.two_views(imgs.cuda(), cfg, 24, cg)
    assert v1.shape == (32, 3, 24, 24) and 0 <= v1.min() and v1.max() <= 1
