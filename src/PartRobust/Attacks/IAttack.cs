using static TorchSharp.torch;

namespace PartRobust.Attacks;

/// <summary>An evasion attack on a classifier whose inputs are images in [0,1].</summary>
public interface IAttack
{
    /// <summary>Short name used as the key of robust accuracy in reports, e.g. <c>pgd</c>.</summary>
    string Name { get; }

    /// <summary>The threat model: norm and radius.</summary>
    ThreatModel Threat { get; }

    /// <summary>One line with the attack's settings (steps, step size, restarts, ...), for reports and logs.</summary>
    string Describe();

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

    /// <summary>Adds runs counted elsewhere (by the other ranks of a sharded evaluation).</summary>
    internal void AddCounts(int starts, int zeroGradient);
}

/// <summary>The running counts behind <see cref="IDlrGradientProbe"/>, shared by the APGD attacks on the DLR losses.</summary>
internal sealed class DlrGradientCount
{
    int starts, zeroGradient;

    /// <summary>Runs started on the DLR loss.</summary>
    public int Starts => starts;

    /// <summary>Of those, the runs with an exactly zero gradient at the start.</summary>
    public int ZeroGradient => zeroGradient;

    /// <summary>Counts one run on <paramref name="points"/> points, <paramref name="zero"/> of them with a zero start gradient.</summary>
    public void Add(long points, int zero)
    {
        Interlocked.Add(ref starts, (int)points);
        Interlocked.Add(ref zeroGradient, zero);
    }
}
