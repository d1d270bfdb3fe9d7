using PartRobust.Training;
using PartRobust.Weights;

namespace PartRobust.Interop;

/// <summary>Writes a PartRobust checkpoint's weights as a PyTorch-loadable file (what <c>partrobust export</c> calls).</summary>
public static class CheckpointExport
{
    /// <summary>What was written.</summary>
    /// <param name="Tensors">Number of tensors written.</param>
    /// <param name="Bytes">File size.</param>
    /// <param name="FirstNames">The first few tensor names, to show the naming.</param>
    public sealed record Result(int Tensors, long Bytes, IReadOnlyList<string> FirstNames);

    /// <summary>
    /// Loads <paramref name="checkpoint"/> (stem or either file) and writes its state_dict to <paramref name="outFile"/>
    /// in <paramref name="format"/> through a temporary name. With <paramref name="stripPrefix"/> only the tensors whose
    /// names start with it are written, without it (e.g. <c>segmenter.</c> gives a state_dict that
    /// <c>smp.DeepLabV3Plus(...).load_state_dict</c> accepts).
    /// </summary>
    /// <exception cref="FileNotFoundException">The checkpoint is missing.</exception>
    /// <exception cref="ArgumentException">No tensor name starts with <paramref name="stripPrefix"/>.</exception>
    public static Result Export(string checkpoint, string outFile, StateDictFormat format, string? stripPrefix = null)
    {
        var (model, _) = Checkpoint.Load(checkpoint);
        using var _model = model;
        using var all = StateDict.FromModule(model);
        StateDict selected;
        try { selected = string.IsNullOrEmpty(stripPrefix) ? all : all.StripPrefix(stripPrefix); }
        catch (ArgumentException e) { throw new ArgumentException($"--strip-prefix {stripPrefix}: {e.Message}"); }
        using (selected == all ? null : selected)
        {
            StateDictFile.Write(outFile, selected, format);
            return new Result(selected.Count, new FileInfo(outFile).Length, selected.Names.Take(4).ToList());
        }
    }
}
