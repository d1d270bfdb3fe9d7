namespace PartRobust.Models;

/// <summary>
/// How a <see cref="ResNet"/> trades a stage's stride-2 for dilation when an output stride below the natural one is asked
/// for. The two reference implementations differ in the first block of a dilated stage and in the 1×1 convolutions.
/// </summary>
public enum ResNetDilationStyle
{
    /// <summary>
    /// torchvision's <c>replace_stride_with_dilation</c> (<c>ResNet._make_layer</c>): the stage's stride becomes 1, its
    /// dilation doubles, but its <b>first</b> block keeps the previous dilation; 1×1 convolutions are untouched.
    /// Used by torchvision's DeepLabv3 (<c>[False, True, True]</c>).
    /// </summary>
    Torchvision,

    /// <summary>
    /// segmentation_models_pytorch's <c>EncoderMixin.make_dilated</c> → <c>replace_strides_with_dilation</c>: every
    /// Conv2d of the stage (all blocks, 1×1 convolutions and the downsample projection included) gets stride 1,
    /// dilation d and padding (k//2)·d, with d = 2 for the last dilated stage at output stride 16 and (2, 4) at 8.
    /// Used by smp's DeepLabV3+ encoder.
    /// </summary>
    Smp,
}
