using static TorchSharp.torch;

namespace PartRobust.Weights;

/// <summary>What a <see cref="WeightTransfer"/> did.</summary>
/// <param name="Filled">Model tensors filled from the source.</param>
/// <param name="Unused">Source names that no model tensor took (not counting names the mapping ignored on purpose).</param>
/// <param name="ZeroedBatchCounters">
/// BatchNorm <c>num_batches_tracked</c> counters absent from the source and set to 0, as PyTorch's
/// <c>load_state_dict</c> does for checkpoints saved before the counter existed (e.g. torchvision's original ResNet files).
/// </param>
public sealed record WeightTransferResult(int Filled, IReadOnlyList<string> Unused, IReadOnlyList<string> ZeroedBatchCounters)
{
    /// <summary>One line for the console when source tensors were left unused, else null.</summary>
    public string? UnusedWarning(string file) => Unused.Count == 0 ? null
        : $"{file}: {Unused.Count} tensor(s) not used: {WeightTransfer.ListNames(Unused)}";
}

/// <summary>
/// Copies tensors from a source <see cref="StateDict"/> into a model with a strict check: every parameter and persistent
/// buffer of the model that is a target (all of them, or those a predicate selects) must receive exactly one source
/// tensor of the same shape; source tensors mapped to a non-target are reported unused. A mapping
/// function names the model tensor each source tensor goes to (<c>null</c> = skip it on purpose). Values are converted to
/// the model tensor's dtype and device. Nothing is copied unless the whole check passes.
/// </summary>
public static class WeightTransfer
{
    /// <summary>Copies <paramref name="source"/> into <paramref name="model"/>.</summary>
    /// <param name="model">The model to fill.</param>
    /// <param name="source">Source tensors.</param>
    /// <param name="map">Source name → model state_dict name, or null to skip that source tensor silently.</param>
    /// <param name="file">Source file, for messages.</param>
    /// <param name="isTarget">Which model tensors must be filled (and may be written); null = all.</param>
    /// <exception cref="InvalidDataException">A model tensor got nothing, two sources, or a source of another shape.</exception>
    public static WeightTransferResult Apply(nn.Module model, StateDict source, Func<string, string?> map, string file, Func<string, bool>? isTarget = null)
    {
        var target = model.state_dict();
        isTarget ??= _ => true;
        var assigned = new Dictionary<string, string>(StringComparer.Ordinal);
        var unused = new List<string>();
        var mismatches = new List<string>();
        foreach (var name in source.Names)
        {
            string? to = map(name);
            if (to is null) continue;
            if (!isTarget(to) || !target.TryGetValue(to, out var t)) { unused.Add(name); continue; }
            if (assigned.TryGetValue(to, out var other))
                throw new InvalidDataException($"{file}: '{other}' and '{name}' both map to the model's '{to}'");
            assigned[to] = name;
            if (!source[name].shape.SequenceEqual(t.shape))
                mismatches.Add($"{name} [{Shape(source[name])}] → {to} [{Shape(t)}]");
        }
        if (mismatches.Count > 0)
            throw new InvalidDataException($"{file}: {mismatches.Count} shape mismatch(es): {string.Join("; ", mismatches.Take(4))}{(mismatches.Count > 4 ? "; …" : "")}");

        var missing = target.Keys.Where(k => isTarget(k) && !assigned.ContainsKey(k)).ToList();
        var zeroed = missing.Where(k => k.EndsWith(".num_batches_tracked", StringComparison.Ordinal)).ToList();
        missing = missing.Except(zeroed).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException($"{file}: {missing.Count} model tensor(s) not found in the file: {ListNames(missing)}" +
                                           (unused.Count > 0 ? $"; unused in the file: {ListNames(unused)}" : ""));

        using (no_grad())
        {
            foreach (var (to, from) in assigned) target[to].copy_(source[from]);
            foreach (var k in zeroed) target[k].zero_();
        }
        return new WeightTransferResult(assigned.Count, unused, zeroed);
    }

    /// <summary>Up to 6 names, then how many more.</summary>
    public static string ListNames(IReadOnlyList<string> names) =>
        string.Join(", ", names.Take(6)) + (names.Count > 6 ? $" (+{names.Count - 6} more)" : "");

    private static string Shape(Tensor t) => string.Join(",", t.shape);
}
