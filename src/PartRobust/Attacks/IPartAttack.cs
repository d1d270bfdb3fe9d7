using PartRobust.Models;
using static TorchSharp.torch;

namespace PartRobust.Attacks;

/// <summary>
/// An adaptive attack on a part model (<see cref="IPartModel"/>) that also uses the part ground truth: it attacks the
/// segmenter, the tiny classifier or both. Called through <see cref="IAttack.Perturb"/> without masks it throws.
/// </summary>
public interface IPartAttack : IAttack
{
    /// <summary>
    /// Adversarial images for <paramref name="images"/> [B,3,H,W] with true labels [B] and part truth; the result lies
    /// in the threat model's ball and in [0,1]. <paramref name="model"/> must implement <see cref="IPartModel"/> (attacks
    /// through the tiny classifier: <see cref="IBottomUpPartModel"/>).
    /// </summary>
    Tensor Perturb(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, PartTruth truth);
}

/// <summary>Helpers shared by the part attacks.</summary>
internal static class PartAttacks
{
    /// <summary>The model as a part model, or an <see cref="ArgumentException"/> naming the attack.</summary>
    internal static IPartModel RequirePartModel(nn.Module<Tensor, Tensor> model, string attack) =>
        model as IPartModel ?? throw new ArgumentException($"attack {attack} needs a part model (segmenter + classifier); {model.GetName()} is not one");

    /// <summary>The model as a bottom-up part model (class from the part mask alone), or an <see cref="ArgumentException"/> naming the attack.</summary>
    internal static IBottomUpPartModel RequireBottomUpModel(nn.Module<Tensor, Tensor> model, string attack) =>
        model as IBottomUpPartModel ?? throw new ArgumentException(
            $"attack {attack} works through the part mask and needs a bottom-up part model (class from the mask alone, e.g. part-downsampled); " +
            (model is IPartModel ? $"{model.GetName()} has a class head of its own" : $"{model.GetName()} is not a part model"));

    /// <summary>The paper's PGD step: max(0.001, ε/40) for L∞ (0.001 at 8/255), ε/40 for L2.</summary>
    internal static double PaperStepSize(double epsilon, Norm norm) => norm == Norm.Linf ? Math.Max(0.001, epsilon / 40) : epsilon / 40;

    /// <summary>The error for a part attack called without masks.</summary>
    internal static InvalidOperationException NeedsTruth(string attack) =>
        new($"attack {attack} needs the true part masks: call Perturb(model, images, labels, PartTruth)");
}
