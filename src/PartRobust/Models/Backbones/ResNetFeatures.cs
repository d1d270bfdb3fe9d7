using static TorchSharp.torch;

namespace PartRobust.Models;

/// <summary>
/// The feature maps of a <see cref="ResNet"/> pass, in smp's encoder order (its <c>features[1..5]</c>; <c>features[0]</c>
/// is the input). Tensors belong to the caller's dispose scope.
/// </summary>
/// <param name="Stem">conv1 → bn1 → ReLU, before the max-pool [B, width, H/2, W/2] (H, W with the small stem).</param>
/// <param name="Layer1">Output of layer1 (stride 4; smp's <c>features[-4]</c> at depth 5).</param>
/// <param name="Layer2">Output of layer2.</param>
/// <param name="Layer3">Output of layer3.</param>
/// <param name="Layer4">Output of layer4, the last feature map.</param>
public readonly record struct ResNetFeatures(Tensor Stem, Tensor Layer1, Tensor Layer2, Tensor Layer3, Tensor Layer4)
{
    /// <summary>The four stage outputs layer1..layer4.</summary>
    public Tensor[] Stages => new[] { Layer1, Layer2, Layer3, Layer4 };
}
