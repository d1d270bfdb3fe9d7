using static TorchSharp.torch;

namespace PartRobust.Attacks;

/// <summary>An evasion attack on a classifier whose inputs are images in [0,1].</summary>
public interface IAttack
{
    /// <summary>Short name used as the key of robust accuracy in reports, e.g. <c>pgd</c>.</summary>
    string Name { get; }

    /// <summary>The threat model: norm and radius.</summary>
    ThreatModel Threat { get; }

    /// <summary>
    /// Adversarial images for <paramref name="images"/> [B,3,H,W] with true labels <paramref name="labels"/> [B].
    /// The result lies in the threat model's ball around the input and in [0,1]. The model is put in eval
    /// mode for the attack and restored afterwards.
    /// </summary>
    Tensor Perturb(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels);
}
