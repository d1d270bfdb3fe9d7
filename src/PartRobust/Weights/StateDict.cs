using static TorchSharp.torch;

namespace PartRobust.Weights;

/// <summary>
/// An ordered name → tensor dictionary, as PyTorch's <c>state_dict()</c>: the unit that is read from and written to
/// <c>.pt</c>/<c>.pth</c> and <c>.safetensors</c> files. It owns its tensors (CPU, detached) unless built over a live
/// model with <see cref="FromModule"/>, and disposes the ones it owns.
/// </summary>
public sealed class StateDict : IDisposable
{
    private readonly List<string> names = new();
    private readonly Dictionary<string, Tensor> tensors = new(StringComparer.Ordinal);
    private readonly bool ownsTensors;

    /// <summary>An empty dictionary that owns the tensors added to it.</summary>
    public StateDict() : this(ownsTensors: true) { }

    private StateDict(bool ownsTensors) => this.ownsTensors = ownsTensors;

    /// <summary>Names in order.</summary>
    public IReadOnlyList<string> Names => names;

    /// <summary>Number of tensors.</summary>
    public int Count => names.Count;

    /// <summary>
    /// Where the tensors came from inside the file: <c>null</c> for a bare state_dict, else the entry of the saved dict
    /// that held them (e.g. <c>state_dict</c>).
    /// </summary>
    public string? Entry { get; init; }

    /// <summary>The tensor named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such name.</exception>
    public Tensor this[string name] => tensors[name];

    /// <summary>True when <paramref name="name"/> is present.</summary>
    public bool Contains(string name) => tensors.ContainsKey(name);

    /// <summary>Looks a tensor up by name.</summary>
    public bool TryGet(string name, out Tensor tensor) => tensors.TryGetValue(name, out tensor!);

    /// <summary>Name/tensor pairs in order.</summary>
    public IEnumerable<(string Name, Tensor Tensor)> Items => names.Select(n => (n, tensors[n]));

    /// <summary>Appends a tensor (taken out of any dispose scope when this dictionary owns its tensors).</summary>
    /// <exception cref="ArgumentException">The name is already present.</exception>
    public void Add(string name, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(tensor);
        if (!tensors.TryAdd(name, tensor)) throw new ArgumentException($"duplicate tensor name '{name}'", nameof(name));
        names.Add(name);
        if (ownsTensors) tensor.DetachFromDisposeScope();
    }

    /// <summary>
    /// A view of <paramref name="module"/>'s state_dict (parameters and persistent buffers, in registration order). The
    /// tensors are the model's own: they are not copied and not disposed with the view.
    /// </summary>
    public static StateDict FromModule(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var view = new StateDict(ownsTensors: false);
        foreach (var (name, tensor) in module.state_dict()) view.Add(name, tensor);
        return view;
    }

    /// <summary>A copy holding only the names that start with <paramref name="prefix"/>, with the prefix removed.</summary>
    /// <exception cref="ArgumentException">No name starts with the prefix.</exception>
    public StateDict StripPrefix(string prefix)
    {
        var result = new StateDict(ownsTensors: false) { Entry = Entry };
        foreach (var (name, tensor) in Items)
            if (name.StartsWith(prefix, StringComparison.Ordinal)) result.Add(name[prefix.Length..], tensor);
        if (result.Count == 0)
            throw new ArgumentException($"no tensor name starts with '{prefix}' (names start with: {string.Join(", ", names.Select(n => n.Split('.')[0] + ".").Distinct().Take(6))})");
        return result;
    }

    /// <summary>Disposes the tensors this dictionary owns.</summary>
    public void Dispose()
    {
        if (ownsTensors)
            foreach (var t in tensors.Values) t.Dispose();
        tensors.Clear();
        names.Clear();
    }
}
