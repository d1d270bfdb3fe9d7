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

/// <summary>
/// An attack that starts runs on the DLR loss and counts the starts whose input gradient was exactly zero (AutoAttack's
/// <c>check_zero_gradients</c>, run at every APGD start on a DLR loss): such a point cannot move, so its robustness is
/// not evidence.
/// </summary>
public interface IDlrGradientProbe : IAttack
{
    /// <summary>Runs started on the DLR loss since the attack was created (a point counts once per run).</summary>
    int DlrStarts { get; }

    /// <summary>Of those, the runs whose DLR-loss gradient at the start was exactly zero.</summary>
    int ZeroDlrGradientStarts { get; }
}
