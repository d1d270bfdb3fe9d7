using TorchSharp;
using static TorchSharp.torch;

namespace PartRobust.Models;

/// <summary>
/// Per-channel normalisation <c>(x − mean) / std</c> applied inside a model, so that models (and attacks on them)
/// work on images in [0,1]. The statistics are non-persistent buffers: they are constants, not part of checkpoints.
/// </summary>
public sealed class ImageNormalization : nn.Module<Tensor, Tensor>
{
    /// <summary>ImageNet channel means (R,G,B), used for every dataset in the paper's code.</summary>
    public static readonly float[] ImageNetMean = { 0.485f, 0.456f, 0.406f };

    /// <summary>ImageNet channel standard deviations (R,G,B).</summary>
    public static readonly float[] ImageNetStd = { 0.229f, 0.224f, 0.225f };

    private readonly Tensor mean;
    private readonly Tensor std;

    /// <summary>Normalisation with the given per-channel statistics (defaults: ImageNet).</summary>
    /// <param name="mean">Channel means; ImageNet's if null.</param>
    /// <param name="std">Channel standard deviations; ImageNet's if null.</param>
    public ImageNormalization(float[]? mean = null, float[]? std = null) : base(nameof(ImageNormalization))
    {
        mean ??= ImageNetMean;
        std ??= ImageNetStd;
        if (mean.Length != std.Length) throw new ArgumentException("mean and std must have the same length");
        this.mean = torch.tensor(mean, dtype: ScalarType.Float32).reshape(1, mean.Length, 1, 1);
        this.std = torch.tensor(std, dtype: ScalarType.Float32).reshape(1, std.Length, 1, 1);
        this.mean.DetachFromDisposeScope();
        this.std.DetachFromDisposeScope();
        register_buffer(nameof(this.mean), this.mean, persistent: false);
        register_buffer(nameof(this.std), this.std, persistent: false);
        RegisterComponents();
    }

    /// <summary>Returns <c>(images − mean) / std</c> for images [B,C,H,W].</summary>
    public override Tensor forward(Tensor images) => images.sub(mean).div(std);
}
