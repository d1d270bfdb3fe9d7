using System.Text.Json;
using System.Text.Json.Nodes;
using PartRobust.Data;
using PartRobust.Models;
using PartRobust.Runs;
using PartRobust.Training;
using PartRobust.Weights;
using static TorchSharp.torch;

namespace PartRobust.Interop;

/// <summary>
/// Turns a PyTorch weight file into a PartRobust checkpoint (<c>NAME.safetensors</c> + <c>NAME.json</c>) that
/// <c>eval</c> and <c>attack</c> accept: what <c>partrobust import</c> calls.
/// </summary>
public static class ModelImport
{
    /// <summary>Which naming the input file uses.</summary>
    public enum SourceFormat
    {
        /// <summary>The paper's code (chawins/adv-part-model), see <see cref="AuthorsCheckpointImport"/>.</summary>
        Authors,
        /// <summary>A torchvision (or timm) ResNet state_dict, see <see cref="TorchvisionResNetImport"/>.</summary>
        Torchvision,
    }

    /// <summary>What was imported.</summary>
    /// <param name="Spec">The model spec written to the checkpoint.</param>
    /// <param name="Taxonomy">Classes and parts written to the checkpoint.</param>
    /// <param name="Transfer">Tensors filled and left unused.</param>
    /// <param name="Entry">Entry of the saved dict that held the weights (null = a bare state_dict).</param>
    /// <param name="Warnings">One-line warnings for the console.</param>
    public sealed record Result(ModelSpec Spec, PartTaxonomy Taxonomy, WeightTransferResult Transfer, string? Entry, IReadOnlyList<string> Warnings);

    /// <summary>Reads the input, builds the model, fills it strictly and saves the checkpoint.</summary>
    /// <exception cref="ArgumentException">Bad request (unknown model, sizes that contradict each other).</exception>
    /// <exception cref="FileNotFoundException">No input file.</exception>
    /// <exception cref="InvalidDataException">The file is unreadable or does not fit the model.</exception>
    public static Result Run(ModelImportRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        bool isPart = ModelRegistry.IsPartModel(request.Model); // throws naming an unknown model
        if (isPart && request.Format == SourceFormat.Torchvision)
            throw new ArgumentException($"--format torchvision imports ResNet classifiers; for the backbone of {request.Model} use 'partrobust train --pretrained-backbone FILE'");
        if (isPart) SegmenterRegistry.Describe(request.Segmenter);
        if (request.ImageSize < 32 || request.ImageSize > 1024) throw new ArgumentException($"--image-size {request.ImageSize}: expected 32 to 1024");

        using var source = StateDictFile.Read(request.Input);
        var taxonomy = ResolveTaxonomy(request, source, isPart);
        var spec = ModelSpec.For(request.Model, taxonomy, request.ImageSize, request.Width, isPart ? request.Segmenter : SegmenterRegistry.Default);
        manual_seed(0); // tensors the file does not fill (a skipped fc) start the same every time
        using var model = ModelRegistry.Create(spec);
        var transfer = request.Format == SourceFormat.Authors
            ? AuthorsCheckpointImport.Import(model, request.Model, source, request.Input)
            : TorchvisionResNetImport.ImportClassifier(model, source, request.Input, request.SkipFc);
        model.eval();

        var warnings = new List<string>();
        if (transfer.UnusedWarning(request.Input) is { } w) warnings.Add(w);
        if (transfer.ZeroedBatchCounters.Count > 0)
            warnings.Add($"{request.Input}: no num_batches_tracked for {transfer.ZeroedBatchCounters.Count} BatchNorm layer(s); set to 0 as PyTorch does");
        if (request.SkipFc) warnings.Add($"fc kept from a fresh {request.Model} (seed 0): train or fine-tune it before use");

        var config = new ExperimentConfig
        {
            ImageSize = Math.Clamp(request.ImageSize, 32, 224),
            Classes = request.Classes is { Length: > 0 } ? taxonomy.ClassNames.ToArray() : null, Models = new[] { request.Model },
            Segmenter = spec.Segmenter, Width = request.Width,
        };
        var configJson = JsonSerializer.SerializeToNode(config, JsonFiles.Options)!.AsObject();
        configJson["imported_from"] = new JsonObject
        {
            ["format"] = request.Format.ToString().ToLowerInvariant(),
            ["file"] = Path.GetFullPath(request.Input),
            ["entry"] = source.Entry,
        };
        Checkpoint.Save(request.Out, model, new CheckpointInfo
        {
            Model = spec, Taxonomy = taxonomy, Train = null, Config = JsonSerializer.SerializeToElement(configJson),
        });
        return new Result(spec, taxonomy, transfer, source.Entry, warnings);
    }

    /// <summary>
    /// PartImageNet's taxonomy (all or <see cref="ModelImportRequest.Classes"/>) when asked for, else generic names
    /// (<c>class 0..C−1</c>, <c>background</c>, <c>part 1..K−1</c>) with C and K from the flags or the file; sizes given
    /// in flags must agree with the taxonomy and with the file.
    /// </summary>
    private static PartTaxonomy ResolveTaxonomy(ModelImportRequest r, StateDict source, bool isPart)
    {
        var (fileK, fileC) = r.Format == SourceFormat.Authors
            ? AuthorsCheckpointImport.InferSizes(source, r.Model)
            : (null, source.Names.FirstOrDefault(n => TorchvisionResNetImport.StripModulePrefix(n) == "fc.weight") is { } fc ? (int?)source[fc].shape[0] : null);
        if (r.SkipFc) fileC = null;
        PartTaxonomy taxonomy;
        if (r.Classes is { Length: > 0 } || r.Dataset is not null)
        {
            if (r.Dataset is not null && r.Dataset != "partimagenet") throw new ArgumentException($"--dataset {r.Dataset}: expected partimagenet");
            taxonomy = r.Classes is { Length: > 0 } cls ? PartImageNetTaxonomy.Select(cls) : PartImageNetTaxonomy.All;
            Check("--num-classes", r.NumClasses, taxonomy.NumClasses, "the taxonomy");
            if (isPart) Check("--num-seg-labels", r.NumSegLabels, taxonomy.NumSegLabels, "the taxonomy");
        }
        else
        {
            int c = r.NumClasses ?? fileC ?? throw new ArgumentException("--num-classes is needed (or --classes / --dataset partimagenet): the file does not say");
            int k = isPart ? r.NumSegLabels ?? fileK ?? throw new ArgumentException("--num-seg-labels is needed (or --classes / --dataset partimagenet): the file does not say") : 1;
            taxonomy = new PartTaxonomy(
                Enumerable.Range(0, c).Select(i => $"class {i}").ToList(),
                new[] { "background" }.Concat(Enumerable.Range(1, k - 1).Select(i => $"part {i}")).ToList(),
                Enumerable.Repeat(-1, k).ToList());
        }
        if (fileC is { } fc2 && fc2 != taxonomy.NumClasses)
            throw new InvalidDataException($"{r.Input}: the file's classifier has {fc2} classes, the model {taxonomy.NumClasses} ({DescribeTaxonomy(r)})");
        if (isPart && fileK is { } fk && fk != taxonomy.NumSegLabels)
            throw new InvalidDataException($"{r.Input}: the file's segmenter predicts {fk} labels, the model {taxonomy.NumSegLabels} ({DescribeTaxonomy(r)})");
        return taxonomy;
    }

    private static string DescribeTaxonomy(ModelImportRequest r) => r.Classes is { Length: > 0 } ? "--classes" : r.Dataset is not null ? "--dataset" : "--num-classes/--num-seg-labels";

    private static void Check(string flag, int? given, int actual, string what)
    {
        if (given is { } g && g != actual) throw new ArgumentException($"{flag} {g}: {what} has {actual}");
    }
}
