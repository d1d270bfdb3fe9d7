namespace PartRobust.Weights;

/// <summary>File formats a <see cref="StateDict"/> is read from and written to.</summary>
public enum StateDictFormat
{
    /// <summary>
    /// PyTorch's <c>torch.save</c> zip format (<c>.pt</c>, <c>.pth</c>, <c>.bin</c>): a pickle (<c>data.pkl</c>) whose tensors
    /// point to raw storages in the archive. Read and written with TorchSharp.PyBridge.
    /// </summary>
    PyTorch,

    /// <summary>Hugging Face safetensors: a JSON header and raw little-endian tensor data; no code, no pickle.</summary>
    Safetensors,
}

/// <summary>Parsing of <see cref="StateDictFormat"/> names and file extensions.</summary>
public static class StateDictFormats
{
    /// <summary>Parses <c>safetensors</c> or <c>pt</c> (also <c>pth</c>, <c>pytorch</c>).</summary>
    /// <exception cref="ArgumentException">Unknown name (the message names <paramref name="flag"/>).</exception>
    public static StateDictFormat Parse(string text, string flag = "--format") => text.ToLowerInvariant() switch
    {
        "safetensors" => StateDictFormat.Safetensors,
        "pt" or "pth" or "pytorch" => StateDictFormat.PyTorch,
        _ => throw new ArgumentException($"{flag} {text}: expected safetensors or pt"),
    };

    /// <summary>The format a file name's extension suggests: <c>.safetensors</c> → safetensors, anything else → PyTorch.</summary>
    public static StateDictFormat FromExtension(string path) =>
        path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase) ? StateDictFormat.Safetensors : StateDictFormat.PyTorch;
}
