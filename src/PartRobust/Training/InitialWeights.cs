using PartRobust.Weights;
using static TorchSharp.torch;

namespace PartRobust.Training;

/// <summary>
/// Starts a model from saved weights with exactly its own names — the paper's second stage, adversarial fine-tuning
/// started from the clean run's best checkpoint (<c>--resume checkpoint_best.pt --load-weight-only</c> in the authors'
/// scripts). The source is a run folder or checkpoint folder (the model's <c>checkpoints/NAME.safetensors</c> is used), or
/// one weights file (.safetensors, or .pt/.pth with our names, e.g. from <c>partrobust export</c>).
/// </summary>
public static class InitialWeights
{
    /// <summary>The weights file <paramref name="source"/> names for the model <paramref name="modelName"/>.</summary>
    /// <exception cref="FileNotFoundException">Neither the file nor the model's checkpoint in the folder exists.</exception>
    public static string Resolve(string source, string modelName)
    {
        if (File.Exists(source)) return source;
        if (File.Exists(source + ".safetensors")) return source + ".safetensors"; // a checkpoint stem
        if (Directory.Exists(source))
        {
            foreach (var candidate in new[] { Path.Combine(source, "checkpoints", modelName + ".safetensors"), Path.Combine(source, modelName + ".safetensors") })
                if (File.Exists(candidate)) return candidate;
            throw new FileNotFoundException($"--init-from {source}: no checkpoint for model '{modelName}' (expected checkpoints/{modelName}.safetensors or {modelName}.safetensors in it)");
        }
        throw new FileNotFoundException($"--init-from {source}: no such file or folder", source);
    }

    /// <summary>
    /// Copies every parameter and buffer of <paramref name="model"/> from the resolved file; all must be present with equal
    /// shapes (the model must be built with the same spec), or nothing is copied. Returns the file used.
    /// </summary>
    /// <exception cref="InvalidDataException">The file does not fit the model.</exception>
    public static string Load(nn.Module model, string source, string modelName)
    {
        string file = Resolve(source, modelName);
        using var weights = StateDictFile.Read(file);
        var result = WeightTransfer.Apply(model, weights, name => name, file);
        if (result.Unused.Count > 0)
            throw new InvalidDataException($"{file}: tensors the model '{modelName}' does not have: {WeightTransfer.ListNames(result.Unused)} (built with another spec?)");
        return file;
    }
}
