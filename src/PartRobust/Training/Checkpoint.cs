using System.Text.Json;
using System.Text.Json.Serialization;
using PartRobust.Data;
using PartRobust.Models;
using TorchSharp.PyBridge;
using PartRobust.Weights;
using static TorchSharp.torch;

namespace PartRobust.Training;

/// <summary>What a checkpoint records besides the weights: enough to rebuild the model and to know what it was trained on.</summary>
public sealed record CheckpointInfo
{
    /// <summary>Format tag, checked on load.</summary>
    [JsonPropertyName("format")] public string Format { get; init; } = Checkpoint.FormatTag;
    /// <summary>The model's registry spec.</summary>
    [JsonPropertyName("model")] public required ModelSpec Model { get; init; }
    /// <summary>Class and part names the model predicts.</summary>
    [JsonPropertyName("taxonomy")] public required PartTaxonomy Taxonomy { get; init; }
    /// <summary>The resolved training options (null for an untrained model).</summary>
    [JsonPropertyName("train")] public TrainOptions? Train { get; init; }
    /// <summary>The resolved run configuration as JSON (dataset, seeds, …).</summary>
    [JsonPropertyName("config")] public JsonElement? Config { get; init; }
}

/// <summary>
/// Saves and loads a model as <c>NAME.safetensors</c> (weights and buffers, readable from Python) plus
/// <c>NAME.json</c> (<see cref="CheckpointInfo"/>). Loading rebuilds the model from the registry and gives
/// bit-identical outputs.
/// </summary>
public static class Checkpoint
{
    /// <summary>Current format tag.</summary>
    public const string FormatTag = "partrobust-checkpoint-v1";

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>Writes <paramref name="stem"/>.safetensors and <paramref name="stem"/>.json, each through a temporary name.</summary>
    public static void Save(string stem, nn.Module model, CheckpointInfo info)
    {
        stem = StripExtension(stem);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(stem))!);
        string weights = stem + ".safetensors", meta = stem + ".json";
        // Contiguous copies: the convolution weights are stored channels-last (ModelRegistry), which PyBridge cannot write.
        using (var state = StateDict.FromModule(model)) StateDictFile.Write(weights, state, StateDictFormat.Safetensors);
        File.WriteAllText(meta + ".tmp", JsonSerializer.Serialize(info, Json));
        File.Move(meta + ".tmp", meta, overwrite: true);
    }

    /// <summary>Loads a checkpoint given its stem or either of its two files.</summary>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="InvalidDataException">A file is unreadable or does not fit the model.</exception>
    public static (nn.Module<Tensor, Tensor> Model, CheckpointInfo Info) Load(string path)
    {
        string stem = StripExtension(path), weights = stem + ".safetensors", meta = stem + ".json";
        if (!File.Exists(meta)) throw new FileNotFoundException($"checkpoint {meta} not found (expected NAME.json beside NAME.safetensors)", meta);
        if (!File.Exists(weights)) throw new FileNotFoundException($"checkpoint {weights} not found (expected NAME.safetensors beside NAME.json)", weights);
        CheckpointInfo info;
        try
        {
            info = JsonSerializer.Deserialize<CheckpointInfo>(File.ReadAllText(meta), Json)
                   ?? throw new InvalidDataException($"{meta}: empty checkpoint description");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{meta}: not a PartRobust checkpoint description ({e.Message})");
        }
        if (info.Format != FormatTag) throw new InvalidDataException($"{meta}: format '{info.Format}', expected '{FormatTag}'");
        var model = ModelRegistry.Create(info.Model);
        try
        {
            var fileKeys = SafetensorsLayout.Read(weights).Entries.Select(e => e.Name).ToList();
            var modelKeys = model.state_dict().Keys.ToHashSet();
            if (!modelKeys.SetEquals(fileKeys) && modelKeys.SetEquals(fileKeys.Select(MigrateKey)))
            {
                using var old = StateDictFile.Read(weights);
                WeightTransfer.Apply(model, old, MigrateKey, weights);
            }
            else
            {
                using var stream = File.OpenRead(weights);
                model.load_safetensors(stream, strict: true);
            }
        }
        catch (Exception e) when (e is not IOException || e is EndOfStreamException)
        {
            model.Dispose();
            throw new InvalidDataException($"{weights}: weights do not fit model '{info.Model.Name}' ({e.Message})");
        }
        model.eval();
        return (model, info);
    }

    /// <summary>
    /// Maps a key of an older layout of the same format to the current one: plain ResNet classifiers used to keep
    /// their feature extractor under <c>backbone.</c> (<c>backbone.conv1.weight</c>, …, <c>fc.weight</c>); they now use
    /// torchvision's names (<c>conv1.weight</c>, …). Applied only when the renamed key set equals the model's.
    /// </summary>
    internal static string MigrateKey(string key) =>
        key.StartsWith("backbone.", StringComparison.Ordinal) ? key["backbone.".Length..] : key;

    static string StripExtension(string path) =>
        path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
            ? path[..path.LastIndexOf('.')]
            : path;
}
