using PartRobust.Attacks;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace PartRobust.Evaluation;

/// <summary>
/// The first points of one attack run, kept so they can be drawn and saved without attacking again: clean and
/// adversarial images, labels and the model's predictions on both (and, for part models, its predicted part masks).
/// Plain arrays, so nothing needs disposing.
/// </summary>
/// <param name="Attack">Name of the attack that produced <paramref name="Adversarial"/>.</param>
/// <param name="Norm">Norm of the attack's threat model.</param>
/// <param name="Epsilon">Radius of the attack's threat model.</param>
/// <param name="Count">Number of points N.</param>
/// <param name="Channels">Image channels C.</param>
/// <param name="Height">Image height H.</param>
/// <param name="Width">Image width W.</param>
/// <param name="Clean">N×C×H×W clean images in [0,1].</param>
/// <param name="Adversarial">N×C×H×W adversarial images, exactly as the attack returned them.</param>
/// <param name="Labels">N true classes.</param>
/// <param name="CleanPredictions">N predicted classes on the clean images.</param>
/// <param name="AdversarialPredictions">N predicted classes on the adversarial images.</param>
/// <param name="CleanMasks">Part models: N×H×W predicted part labels on the clean images; else null.</param>
/// <param name="AdversarialMasks">Part models: N×H×W predicted part labels on the adversarial images; else null.</param>
public sealed record AdversarialExamples(string Attack, Norm Norm, double Epsilon, int Count, int Channels, int Height, int Width,
    float[] Clean, float[] Adversarial, long[] Labels, long[] CleanPredictions, long[] AdversarialPredictions,
    long[]? CleanMasks = null, long[]? AdversarialMasks = null)
{
    /// <summary>Tensor names in the file <see cref="SaveSafetensors"/> writes.</summary>
    public static readonly IReadOnlyList<string> TensorNames =
        ["clean", "adversarial", "labels", "clean_predictions", "adversarial_predictions", "epsilon"];

    /// <summary>
    /// Writes the exact tensors as safetensors (readable from Python with <c>safetensors.torch.load_file</c>), through a
    /// temporary name: <c>clean</c> and <c>adversarial</c> [N,C,H,W] float32, <c>labels</c>, <c>clean_predictions</c> and
    /// <c>adversarial_predictions</c> [N] int64, <c>epsilon</c> [1] float64.
    /// </summary>
    /// <param name="path">Output file, usually <c>NAME.safetensors</c>.</param>
    public void SaveSafetensors(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var scope = NewDisposeScope();
        long[] shape = [Count, Channels, Height, Width];
        var tensors = new Dictionary<string, Tensor>
        {
            ["clean"] = tensor(Clean, shape),
            ["adversarial"] = tensor(Adversarial, shape),
            ["labels"] = tensor(Labels),
            ["clean_predictions"] = tensor(CleanPredictions),
            ["adversarial_predictions"] = tensor(AdversarialPredictions),
            ["epsilon"] = tensor(new[] { Epsilon }),
        };
        // The same writer the checkpoints use (TorchSharp.PyBridge); into memory first so the file appears whole.
        using var buffer = new MemoryStream();
        Safetensors.SaveStateDict(buffer, tensors, leaveOpen: true);
        AtomicFile.WriteAllBytes(path, buffer.ToArray());
    }
}
