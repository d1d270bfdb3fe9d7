"""PyTorch twins of PartRobust's benchmark models, written from the C# sources in src/PartRobust/Models.

Each twin has the same state_dict names and shapes as the C# model, so the weights written by
`partrobust bench --save-weights DIR` load with load_state_dict(strict=True), and the same forward computation:

* resnet18         -- ResNet.Classifier(18, C, width, S): ImageNormalization inside (non-persistent mean/std), the
                      small stem (3x3 stride-1 conv, no max-pool) for S <= 64, torchvision's BasicBlock, global mean, fc.
* part-downsampled -- PartModel(DeepLabSegmenter, DownsampledPartClassifier): normalisation -> the 'compact' segmenter
                      (ResNet-18 topology of width w, ASPP with rates scaled to the feature map, v3+ decoder) -> part
                      logits [B,K,S,S] -> softmax -> AdaptiveAvgPool2d(N) -> Conv(K,5K,N) -> BN -> ReLU -> Linear(5K,50)
                      -> BN1d -> ReLU -> Linear(50,C).
* part-bbox        -- PartModel(DeepLabSegmenter, BoundingBoxPartClassifier): per-part [score, centre x/y, spread x/y]
                      features -> BN1d -> Linear -> ReLU -> BN1d -> Linear.

Only what the benchmark builds is covered (the 'compact' segmenter; ResNet dilation in torchvision's style).
"""

import json
import math
import re
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F

import safetensors_io

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
SMALL_STEM_MAX_IMAGE_SIZE = 64
MODELS = ("resnet18", "part-downsampled", "part-bbox")


class ImageNormalization(nn.Module):
    """(x - mean) / std with ImageNet statistics as non-persistent buffers (no state_dict keys)."""

    def __init__(self):
        super().__init__()
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN, dtype=torch.float32).reshape(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(IMAGENET_STD, dtype=torch.float32).reshape(1, 3, 1, 1), persistent=False)

    def forward(self, images):
        return images.sub(self.mean).div(self.std)


class BasicBlock(nn.Module):
    """torchvision's BasicBlock; both 3x3 convs take the block's dilation; optional 1x1-conv + BN projection."""

    def __init__(self, in_planes, planes, stride, dilation=1, project=False):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride=stride, padding=dilation, dilation=dilation, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=1, padding=dilation, dilation=dilation, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        if project:
            self.downsample = nn.Sequential(OrderedDict([
                ("0", nn.Conv2d(in_planes, planes, 1, stride=stride, bias=False)),
                ("1", nn.BatchNorm2d(planes)),
            ]))
        else:
            self.downsample = None

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        identity = x if self.downsample is None else self.downsample(x)
        return F.relu(y.add_(identity))


class ResNet18(nn.Module):
    """ResNet-18 as ResNet.cs builds it (BasicBlock, [2,2,2,2]); num_classes None = feature extractor (no fc)."""

    def __init__(self, num_classes=None, width=64, small_stem=False, output_stride=None, normalize_input=False):
        super().__init__()
        natural = 8 if small_stem else 32
        os_ = output_stride or natural
        if os_ < natural // 8 or os_ > natural or os_ & (os_ - 1):
            raise ValueError(f"output stride {os_} is not possible with this stem")
        dilated_stages = int(math.log2(natural // os_))
        self.normalize = ImageNormalization() if normalize_input else None
        if small_stem:
            self.conv1 = nn.Conv2d(3, width, 3, stride=1, padding=1, bias=False)
        else:
            self.conv1 = nn.Conv2d(3, width, 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.maxpool = None if small_stem else nn.MaxPool2d(3, stride=2, padding=1)
        in_planes, dilation, total = width, 1, 1 if small_stem else 4
        self.stage_channels, self.stage_strides = [], []
        for i in range(4):
            planes = width << i
            stride = 1 if i == 0 else 2
            dilate = i >= 4 - dilated_stages
            previous_dilation = dilation
            if dilate:
                dilation *= 2
            else:
                total *= stride
            block_stride = 1 if dilate else stride
            project = block_stride != 1 or in_planes != planes
            blocks = [("0", BasicBlock(in_planes, planes, block_stride, previous_dilation, project))]
            blocks.append(("1", BasicBlock(planes, planes, 1, dilation, False)))
            setattr(self, f"layer{i + 1}", nn.Sequential(OrderedDict(blocks)))
            self.stage_channels.append(planes)
            self.stage_strides.append(total)
            in_planes = planes
        self.out_channels = in_planes
        self.output_stride = total
        self.fc = nn.Linear(in_planes, num_classes) if num_classes is not None else None

    def stages(self, x):
        if self.normalize is not None:
            x = self.normalize(x)
        y = F.relu(self.bn1(self.conv1(x)))
        if self.maxpool is not None:
            y = self.maxpool(y)
        f1 = self.layer1(y)
        f2 = self.layer2(f1)
        f3 = self.layer3(f2)
        f4 = self.layer4(f3)
        return [f1, f2, f3, f4]

    def forward(self, x):
        features = self.stages(x)[-1]
        if self.fc is None:
            return features
        return self.fc(features.mean((2, 3)))


def conv_bn_relu(in_ch, out_ch, kernel, dilation):
    return nn.Sequential(OrderedDict([
        ("conv", nn.Conv2d(in_ch, out_ch, kernel, padding=0 if kernel == 1 else dilation, dilation=dilation, bias=False)),
        ("bn", nn.BatchNorm2d(out_ch)),
        ("relu", nn.ReLU()),
    ]))


def csharp_round(value):
    """Math.Round(double): to the nearest integer, ties to even (Python's round does the same)."""
    return int(round(value))


class DeepLabSegmenter(nn.Module):
    """The 'compact' segmenter (DeepLabSegmenter.cs): normalised images [B,3,H,W] -> part logits [B,K,H,W]."""

    def __init__(self, num_seg_labels, width, image_size):
        super().__init__()
        small = image_size <= SMALL_STEM_MAX_IMAGE_SIZE
        self.backbone = ResNet18(None, width, small, output_stride=8 if small else 16)
        os_ = self.backbone.output_stride
        feature_size = max(1, image_size // os_)
        self.atrous_rates = [max(1, csharp_round(i * feature_size / 6.0)) for i in (1, 2, 3)]
        in_ch, ch = self.backbone.out_channels, 4 * width
        self.aspp_conv1x1 = conv_bn_relu(in_ch, ch, 1, 1)
        self.aspp_conv_r1 = conv_bn_relu(in_ch, ch, 3, self.atrous_rates[0])
        self.aspp_conv_r2 = conv_bn_relu(in_ch, ch, 3, self.atrous_rates[1])
        self.aspp_conv_r3 = conv_bn_relu(in_ch, ch, 3, self.atrous_rates[2])
        self.aspp_pool = nn.Sequential(OrderedDict([
            ("pool", nn.AdaptiveAvgPool2d(1)),
            ("conv", nn.Conv2d(in_ch, ch, 1, bias=False)),
            ("bn", nn.BatchNorm2d(ch)),
            ("relu", nn.ReLU()),
        ]))
        self.aspp_project = nn.Sequential(OrderedDict([
            ("project", conv_bn_relu(5 * ch, ch, 1, 1)),
            ("conv", conv_bn_relu(ch, ch, 3, 1)),
        ]))
        low_stride = max(1, os_ // 4)
        self.low_level_stage = max(i for i in range(4) if self.backbone.stage_strides[i] <= low_stride)
        low_ch = max(8, 48 * width // 64)
        self.low_level_project = conv_bn_relu(self.backbone.stage_channels[self.low_level_stage], low_ch, 1, 1)
        self.decoder_fuse = conv_bn_relu(ch + low_ch, ch, 3, 1)
        self.classifier = nn.Conv2d(ch, num_seg_labels, 1)

    def forward(self, x):
        h, w = x.shape[2], x.shape[3]
        stages = self.backbone.stages(x)
        high, low = stages[-1], stages[self.low_level_stage]
        pooled = F.interpolate(self.aspp_pool(high), size=(high.shape[2], high.shape[3]), mode="nearest")
        aspp = torch.cat([self.aspp_conv1x1(high), self.aspp_conv_r1(high), self.aspp_conv_r2(high), self.aspp_conv_r3(high), pooled], 1)
        context = self.aspp_project(aspp)
        low_proj = self.low_level_project(low)
        up = F.interpolate(context, size=(low_proj.shape[2], low_proj.shape[3]), mode="bilinear", align_corners=False)
        fused = self.decoder_fuse(torch.cat([up, low_proj], 1))
        logits = self.classifier(fused)
        if logits.shape[2] != h or logits.shape[3] != w:
            logits = F.interpolate(logits, size=(h, w), mode="bilinear", align_corners=False)
        return logits


class DownsampledPartClassifier(nn.Module):
    """The Downsampled head (DownsampledPartClassifier.cs): part logits [B,K,H,W] -> class logits [B,C]."""

    def __init__(self, num_seg_labels, num_classes, pool_size=4, background=True):
        super().__init__()
        self.num_seg_labels, self.background = num_seg_labels, background
        k = num_seg_labels if background else num_seg_labels - 1
        self.pool = nn.AdaptiveAvgPool2d(pool_size)
        self.conv = nn.Conv2d(k, 5 * k, pool_size)
        self.bn2d = nn.BatchNorm2d(5 * k)
        self.fc1 = nn.Linear(5 * k, 50)
        self.bn1d = nn.BatchNorm1d(50)
        self.fc2 = nn.Linear(50, num_classes)

    def forward(self, part_logits):
        masks = F.softmax(part_logits, 1)
        if not self.background:
            masks = masks.narrow(1, 1, self.num_seg_labels - 1)
        y = F.relu(self.bn2d(self.conv(self.pool(masks)))).flatten(1)
        y = F.relu(self.bn1d(self.fc1(y)))
        return self.fc2(y)


class BoundingBoxPartClassifier(nn.Module):
    """The Bounding-Box head (BoundingBoxPartClassifier.cs): per-part [s, x, y, sx, sy] -> BN1d -> Linear -> ReLU -> BN1d -> Linear."""

    MASS_EPSILON = 1e-6

    def __init__(self, num_seg_labels, num_classes):
        super().__init__()
        self.num_seg_labels = num_seg_labels
        d = 5 * (num_seg_labels - 1)
        self.bn_in = nn.BatchNorm1d(d)
        self.fc1 = nn.Linear(d, 50)
        self.bn_hidden = nn.BatchNorm1d(50)
        self.fc2 = nn.Linear(50, num_classes)

    def features(self, part_logits):
        k, h, w = self.num_seg_labels, part_logits.shape[2], part_logits.shape[3]
        eps = self.MASS_EPSILON
        masks = F.softmax(part_logits, 1).narrow(1, 1, k - 1)
        no_bg = part_logits.narrow(1, 1, k - 1)
        fg = torch.sigmoid(no_bg.sum(1, keepdim=True) - part_logits.narrow(1, 0, 1))
        fg = fg / fg.sum((2, 3), keepdim=True).clamp_min(eps)
        scores = (no_bg * fg).sum((2, 3))
        mass = masks.sum((2, 3)) + eps
        marginal_x = masks.sum(2) + eps
        marginal_y = masks.sum(3) + eps
        grid_x = torch.arange(w, dtype=part_logits.dtype, device=part_logits.device)
        grid_y = torch.arange(h, dtype=part_logits.dtype, device=part_logits.device)
        center_x = (marginal_x * grid_x).sum(2) / mass
        center_y = (marginal_y * grid_y).sum(2) / mass
        var_x = (marginal_x * (grid_x - center_x.unsqueeze(-1)).square()).sum(2) / mass
        var_y = (marginal_y * (grid_y - center_y.unsqueeze(-1)).square()).sum(2) / mass
        sd_x, sd_y = var_x.sqrt(), var_y.sqrt()
        center_x = center_x / w * 2 - 1
        center_y = center_y / h * 2 - 1
        sd_x = sd_x / w * 2
        sd_y = sd_y / h * 2
        return torch.stack([scores, center_x, center_y, sd_x, sd_y], 2)

    def forward(self, part_logits):
        y = self.bn_in(self.features(part_logits).flatten(1))
        y = F.relu(self.fc1(y))
        y = self.bn_hidden(y)
        return self.fc2(y)


class PartModel(nn.Module):
    """Normalisation -> segmenter -> head; forward gives class logits, forward_with_parts (class logits, part logits)."""

    is_part_model = True

    def __init__(self, segmenter, head):
        super().__init__()
        self.normalize = ImageNormalization()
        self.segmenter = segmenter
        self.head = head

    def forward_with_parts(self, images):
        parts = self.segmenter(self.normalize(images))
        return self.head(parts), parts

    def forward(self, images):
        return self.head(self.segmenter(self.normalize(images)))


def build(settings):
    """The twin of the model a `bench --save-weights` settings dict (MODEL-SIZEpx.json) describes."""
    name, size, width = settings["model"], settings["image_size"], settings["width"]
    c, k = settings["num_classes"], settings["num_seg_labels"]
    if name == "resnet18":
        return ResNet18(c, width, size <= SMALL_STEM_MAX_IMAGE_SIZE, normalize_input=True)
    if settings.get("segmenter", "compact") != "compact":
        raise ValueError(f"only the 'compact' segmenter has a twin, not {settings['segmenter']!r}")
    segmenter = DeepLabSegmenter(k, width, size)
    if name == "part-downsampled":
        return PartModel(segmenter, DownsampledPartClassifier(k, c, settings.get("pool_size", 4), settings.get("background", True)))
    if name == "part-bbox":
        return PartModel(segmenter, BoundingBoxPartClassifier(k, c))
    raise ValueError(f"no twin for model {name!r}; twins exist for {', '.join(MODELS)}")


def settings_from_checkpoint(stem):
    """The build() settings of a PartRobust checkpoint STEM (STEM.json's "model" entry, as ModelSpec writes it)."""
    with open(re.sub(r"\.(safetensors|json)$", "", stem) + ".json") as f:
        info = json.load(f)["model"]
    return {
        "model": info["Name"], "image_size": info["ImageSize"], "width": info["Width"],
        "num_classes": info["NumClasses"], "num_seg_labels": info["NumSegLabels"],
        "segmenter": info.get("segmenter", "compact"), "pool_size": info.get("PoolSize", 4),
        "background": info.get("background", True),
    }


def load_checkpoint(stem):
    """The twin of a PartRobust checkpoint STEM (STEM.safetensors + STEM.json), weights loaded strictly, in eval mode."""
    stem = re.sub(r"\.(safetensors|json)$", "", stem)
    model = build(settings_from_checkpoint(stem))
    tensors, _ = safetensors_io.load(stem + ".safetensors")
    model.load_state_dict(tensors, strict=True)
    return model.eval()


def is_part_model(model):
    return getattr(model, "is_part_model", False)
