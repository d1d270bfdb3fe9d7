using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using static TorchSharp.torch;

namespace PartRobust.Training;

/// <summary>
/// Everything <see cref="Trainer"/> needs to continue a run exactly where it stopped: the model's weights and buffers,
/// the optimizer's state, the best-so-far weights and score of the current stage, every random generator in use (the
/// trainer's shuffling/augmentation generator, the training and validation attacks' generators, torch's global
/// generator), the position (stage, epoch, batch, schedule iteration), the current epoch's shuffled order and running
/// sums when saved within an epoch, the history and the elapsed time. One file, written to a temporary name and renamed
/// (<see cref="Save"/>), so a kill leaves either the previous state or the new one.
/// File layout: the format tag, this object as JSON (the fields below), the tensors (name, dtype, shape, raw bytes), and
/// the optimizer state in TorchSharp's own binary format.
/// </summary>
public sealed class TrainingState : IDisposable
{
    /// <summary>Format tag, checked on load.</summary>
    public const string FormatTag = "partrobust-train-state-v1";

    /// <summary>The options the run was trained with; a resumed run must use the same.</summary>
    public required TrainOptions Options { get; init; }
    /// <summary>Training is over: the model holds the final (selected) weights and the other fields the result.</summary>
    public bool Finished { get; init; }
    /// <summary>Stage being trained: 0 clean, 1 adversarial.</summary>
    public int StageIndex { get; init; }
    /// <summary>Epochs of the stage completed before <see cref="Batch"/> (0-based index of the epoch in progress).</summary>
    public int EpochInStage { get; init; }
    /// <summary>Batches of the epoch in progress already trained (0 = the epoch has not started; then there is no order).</summary>
    public int Batch { get; init; }
    /// <summary>Schedule iterations of the stage done.</summary>
    public int Iteration { get; init; }
    /// <summary>Epoch counter over both stages (the epoch in progress when <see cref="Batch"/> &gt; 0, else the last finished).</summary>
    public int Epoch { get; init; }
    /// <summary>The epoch whose weights were kept by the last finished stage (the result's selected epoch).</summary>
    public int Selected { get; init; }
    /// <summary>Best validation score of the current stage so far.</summary>
    public double BestScore { get; init; } = double.NegativeInfinity;
    /// <summary>Epoch of <see cref="BestScore"/> (0 = none yet).</summary>
    public int BestEpoch { get; init; }
    /// <summary>Running sum of the loss over the epoch in progress.</summary>
    public double LossSum { get; init; }
    /// <summary>Running count of correctly classified training images of the epoch in progress.</summary>
    public double Correct { get; init; }
    /// <summary>Training images seen in the epoch in progress.</summary>
    public double Seen { get; init; }
    /// <summary>Learning rate of the last step.</summary>
    public double LearningRate { get; init; }
    /// <summary>Seconds spent in the epoch in progress (timing only).</summary>
    public double EpochSeconds { get; init; }
    /// <summary>Wall-clock seconds of training so far (timing only).</summary>
    public double ElapsedSeconds { get; init; }
    /// <summary>Adversarial images trained on (throughput).</summary>
    public double AdvImages { get; init; }
    /// <summary>Seconds of adversarial training steps (throughput).</summary>
    public double AdvSeconds { get; init; }
    /// <summary>History of the finished epochs.</summary>
    public List<EpochRecord> History { get; init; } = new();
    /// <summary>State of the trainer's shuffling/augmentation generator.</summary>
    [JsonPropertyName("rng_trainer")] public byte[]? TrainerRng { get; init; }
    /// <summary>State of the training attack's generator (null: not used yet).</summary>
    [JsonPropertyName("rng_attack")] public byte[]? AttackRng { get; init; }
    /// <summary>State of the validation attack's generator (null: not used yet).</summary>
    [JsonPropertyName("rng_val_attack")] public byte[]? ValAttackRng { get; init; }
    /// <summary>State of torch's global generator (dropout and any other unseeded draw).</summary>
    [JsonPropertyName("rng_global")] public byte[]? GlobalRng { get; init; }

    /// <summary>The model's state_dict (on the CPU).</summary>
    [JsonIgnore] public Dictionary<string, Tensor> Model { get; internal set; } = new();
    /// <summary>The stage's best-so-far weights (on the CPU), or null.</summary>
    [JsonIgnore] public Dictionary<string, Tensor>? Best { get; internal set; }
    /// <summary>The epoch in progress's shuffled order (when <see cref="Batch"/> &gt; 0).</summary>
    [JsonIgnore] public Tensor? Order { get; internal set; }
    /// <summary>The optimizer's state (TorchSharp format), or null in a finished state.</summary>
    [JsonIgnore] public byte[]? Optimizer { get; internal set; }

    static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    /// <summary>Writes the state to <paramref name="path"/> atomically: to <c>path.tmp</c>, flushed to disk, then renamed.</summary>
    public void Save(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        string temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
            {
                w.Write(FormatTag);
                w.Write(JsonSerializer.Serialize(this, Json));
                var tensors = Model.Select(kv => ("model/" + kv.Key, kv.Value))
                    .Concat((Best ?? new()).Select(kv => ("best/" + kv.Key, kv.Value)))
                    .Concat(Order is null ? Array.Empty<(string, Tensor)>() : new[] { ("order", Order) })
                    .ToList();
                w.Write(tensors.Count);
                foreach (var (name, t) in tensors) WriteTensor(w, name, t);
                w.Write(Optimizer?.Length ?? -1);
                if (Optimizer is not null) w.Write(Optimizer);
            }
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Reads a state written by <see cref="Save"/>; null when <paramref name="path"/> does not exist.</summary>
    /// <exception cref="InvalidDataException">The file is not a readable training state.</exception>
    public static TrainingState? Load(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            using var stream = File.OpenRead(path);
            using var r = new BinaryReader(stream, Encoding.UTF8);
            string tag = r.ReadString();
            if (tag != FormatTag) throw new InvalidDataException($"format '{tag}', expected '{FormatTag}'");
            var state = JsonSerializer.Deserialize<TrainingState>(r.ReadString(), Json) ?? throw new InvalidDataException("empty state");
            int count = r.ReadInt32();
            var model = new Dictionary<string, Tensor>();
            Dictionary<string, Tensor>? best = null;
            Tensor? order = null;
            for (int i = 0; i < count; i++)
            {
                var (name, t) = ReadTensor(r);
                if (name.StartsWith("model/", StringComparison.Ordinal)) model[name[6..]] = t;
                else if (name.StartsWith("best/", StringComparison.Ordinal)) (best ??= new())[name[5..]] = t;
                else if (name == "order") order = t;
                else throw new InvalidDataException($"unexpected tensor '{name}'");
            }
            int optimizerLength = r.ReadInt32();
            byte[]? optimizer = optimizerLength >= 0 ? r.ReadBytes(optimizerLength) : null;
            if (optimizer is not null && optimizer.Length != optimizerLength) throw new EndOfStreamException();
            // The JSON gave every scalar field; the tensors and the optimizer state follow it in the file.
            state.Model = model;
            state.Best = best;
            state.Order = order;
            state.Optimizer = optimizer;
            return state;
        }
        catch (Exception e) when (e is JsonException or EndOfStreamException or IOException or InvalidDataException or ArgumentException)
        {
            throw new InvalidDataException($"{path}: not a readable training state ({e.Message.Split('\n')[0]}); delete it to start the model's training over");
        }
    }

    /// <summary>Copies a CPU snapshot of <paramref name="weights"/> (a state_dict).</summary>
    public static Dictionary<string, Tensor> CpuCopy(IEnumerable<KeyValuePair<string, Tensor>> weights)
    {
        using var _ = no_grad();
        var result = new Dictionary<string, Tensor>();
        foreach (var (name, t) in weights)
        {
            using var scope = NewDisposeScope();
            result[name] = t.detach().cpu().contiguous().clone().DetachFromDisposeScope();
        }
        return result;
    }

    /// <summary>Copies <paramref name="weights"/> into the model's state_dict tensors (all names must match).</summary>
    public static void CopyInto(nn.Module model, IReadOnlyDictionary<string, Tensor> weights, string source)
    {
        using var _ = no_grad();
        var target = model.state_dict();
        if (target.Count != weights.Count || target.Keys.Any(k => !weights.ContainsKey(k)))
            throw new InvalidDataException($"{source}: the saved weights do not fit the model; delete it to start the model's training over");
        foreach (var (name, value) in target) value.copy_(weights[name]);
    }

    /// <summary>Disposes the tensors; a second call does nothing.</summary>
    public void Dispose()
    {
        foreach (var t in Model.Values) t.Dispose();
        foreach (var t in Best?.Values ?? Enumerable.Empty<Tensor>()) t.Dispose();
        Order?.Dispose();
        Model = new();
        Best = null;
        Order = null;
    }

    static void WriteTensor(BinaryWriter w, string name, Tensor t)
    {
        using var scope = NewDisposeScope();
        var cpu = t.detach().cpu().contiguous();
        w.Write(name);
        w.Write((int)cpu.dtype);
        w.Write((int)cpu.dim());
        foreach (long d in cpu.shape) w.Write(d);
        var bytes = cpu.bytes;
        w.Write(bytes.Length);
        w.Write(bytes);
    }

    static (string Name, Tensor Value) ReadTensor(BinaryReader r)
    {
        string name = r.ReadString();
        var dtype = (ScalarType)r.ReadInt32();
        int dims = r.ReadInt32();
        var shape = new long[dims];
        for (int i = 0; i < dims; i++) shape[i] = r.ReadInt64();
        int length = r.ReadInt32();
        var data = r.ReadBytes(length);
        if (data.Length != length) throw new EndOfStreamException();
        var t = empty(shape, dtype: dtype);
        t.bytes = data;
        return (name, t);
    }
}
