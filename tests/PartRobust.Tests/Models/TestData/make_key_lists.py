#!/usr/bin/env python3
"""Writes the expected state_dict key lists used by ResNetZooTests (stdlib only; no torch needed).

The lists are derived by hand from the module definitions, in PyTorch's registration order:
  torchvision  torchvision/models/resnet.py (ResNet, BasicBlock, Bottleneck, _make_layer) and
               torchvision/models/segmentation/{deeplabv3.py (DeepLabHead, ASPP, ASPPConv, ASPPPooling), _utils.py}
  smp v0.3.0   segmentation_models_pytorch/encoders/resnet.py (ResNetEncoder: torchvision ResNet, del fc/avgpool),
               decoders/deeplabv3/{model.py, decoder.py} (DeepLabV3PlusDecoder, ASPP, SeparableConv2d), base/heads.py
Rules: nn.Conv2d -> weight (+ bias); nn.Linear -> weight, bias; nn.BatchNorm2d -> weight, bias, running_mean,
running_var, num_batches_tracked; ReLU/MaxPool/Dropout/Upsampling/Identity have none; nn.Sequential/ModuleList
children are named 0, 1, ...
"""
import os

BN = ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]


def conv(p, bias=False):
    return [p + ".weight"] + ([p + ".bias"] if bias else [])


def bn(p):
    return [f"{p}.{n}" for n in BN]


def resnet(depth, prefix="", fc=True):
    layers = {18: [2, 2, 2, 2], 34: [3, 4, 6, 3], 50: [3, 4, 6, 3]}[depth]
    bottleneck = depth >= 50
    exp = 4 if bottleneck else 1
    keys = conv(prefix + "conv1") + bn(prefix + "bn1")
    inplanes = 64
    for i, n in enumerate(layers):
        planes = 64 * 2 ** i
        stride = 1 if i == 0 else 2
        for b in range(n):
            p = f"{prefix}layer{i + 1}.{b}."
            keys += conv(p + "conv1") + bn(p + "bn1") + conv(p + "conv2") + bn(p + "bn2")
            if bottleneck:
                keys += conv(p + "conv3") + bn(p + "bn3")
            if b == 0 and (stride != 1 or inplanes != planes * exp):
                keys += conv(p + "downsample.0") + bn(p + "downsample.1")
            inplanes = planes * exp
    if fc:
        keys += conv(prefix + "fc", bias=True)
    return keys


def aspp(p, separable):
    keys = conv(p + "convs.0.0") + bn(p + "convs.0.1")
    for i in (1, 2, 3):
        if separable:
            keys += conv(f"{p}convs.{i}.0.0") + conv(f"{p}convs.{i}.0.1")
        else:
            keys += conv(f"{p}convs.{i}.0")
        keys += bn(f"{p}convs.{i}.1")
    keys += conv(p + "convs.4.1") + bn(p + "convs.4.2")
    keys += conv(p + "project.0") + bn(p + "project.1")
    return keys


def smp_deeplabv3plus(depth):
    keys = resnet(depth, "encoder.", fc=False)
    keys += aspp("decoder.aspp.0.", separable=True)
    keys += conv("decoder.aspp.1.0") + conv("decoder.aspp.1.1") + bn("decoder.aspp.2")
    keys += conv("decoder.block1.0") + bn("decoder.block1.1")
    keys += conv("decoder.block2.0.0") + conv("decoder.block2.0.1") + bn("decoder.block2.1")
    keys += conv("segmentation_head.0", bias=True)
    return keys


def torchvision_deeplabv3(depth):
    keys = resnet(depth, "backbone.", fc=False)
    keys += aspp("classifier.0.", separable=False)
    keys += conv("classifier.1") + bn("classifier.2") + conv("classifier.4", bias=True)
    return keys


HEADER = "# state_dict keys of {what}; derived by hand from the module definitions in {src} (see make_key_lists.py){extra}\n"
FILES = {
    "torchvision_resnet18.txt": (resnet(18), "torchvision resnet18()", "torchvision/models/resnet.py", ""),
    "torchvision_resnet50.txt": (resnet(50), "torchvision resnet50()", "torchvision/models/resnet.py",
                                 "; cross-checked against a printed resnet50 state_dict().keys() found with the code search"),
    "smp_deeplabv3plus_resnet50.txt": (smp_deeplabv3plus(50),
                                       "segmentation_models_pytorch 0.3.0 DeepLabV3Plus(encoder_name='resnet50', encoder_output_stride=16, classes=K)",
                                       "smp v0.3.0 encoders/resnet.py, decoders/deeplabv3/{model,decoder}.py, base/heads.py",
                                       "; decoder parameter names cross-checked against a user script listing them"),
    "torchvision_deeplabv3_resnet50.txt": (torchvision_deeplabv3(50),
                                           "torchvision deeplabv3_resnet50(num_classes=K, aux_loss=None) as the paper builds it (classifier=DeepLabHead(2048, K))",
                                           "torchvision/models/segmentation/{deeplabv3,_utils}.py and models/resnet.py", ""),
}

if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    for name, (keys, what, src, extra) in FILES.items():
        assert len(keys) == len(set(keys)), name
        with open(os.path.join(here, name), "w") as f:
            f.write(HEADER.format(what=what, src=src, extra=extra))
            f.write("\n".join(keys) + "\n")
        print(name, len(keys))
