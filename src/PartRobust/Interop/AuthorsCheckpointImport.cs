using PartRobust.Models;
using PartRobust.Weights;
using static TorchSharp.torch;

namespace PartRobust.Interop;

/// <summary>
/// Imports checkpoints of the paper's code (github.com/chawins/adv-part-model): <c>torch.save({"state_dict":
/// model.state_dict(), "optimizer": …, "args": …})</c> of a model wrapped in DataParallel/DDP. Names, as built by
/// <c>part_model/models/__init__.py</c> (<c>build_classifier</c>):
/// <list type="bullet">
/// <item><c>module.</c> (DataParallel/DDP) + <c>SegClassifier</c>/<c>Classifier</c> (<c>part_model/models/model.py</c>):
/// <c>mean</c>, <c>std</c> (ImageNet normaliser buffers) and <c>_model.</c> + the wrapped model. Checkpoints of the code
/// before Dec 2022 instead hold <c>nn.Sequential(Normalize, model)</c> (<c>0.mean</c>, <c>0.std</c>, <c>1.</c> + model) for a
/// plain classifier, and a part model unwrapped whose segmenter is <c>nn.Sequential(Normalize, smp model)</c>
/// (<c>segmenter.0.mean/std</c>, <c>segmenter.1.</c> + smp names).</item>
/// <item>Part models: the segmenter under <c>_segmenter.</c> (<c>PoolingModel</c>) or <c>segmenter.</c>
/// (<c>WeightedBBoxModel</c>, and every model before Dec 2022), with smp/torchvision names, and the head under
/// <c>core_model.</c> (an <c>nn.Sequential</c>, indices in <see cref="DownsampledHead"/> and <see cref="BoundingBoxHead"/>).
/// The feature extractors (<c>feature_extactor</c>) and the <c>grid</c>/<c>part_to_class_mat</c> buffers are
/// non-persistent, so absent.</item>
/// <item>The ResNet-on-masks model (<c>PartMaskModel</c>): <c>segmenter.</c> and <c>core_model.</c> + timm ResNet names
/// (conv1 taking the masks) → our <c>head.resnet.</c>.</item>
/// <item>The baseline: <c>_model.</c> + timm/torchvision ResNet names.</item>
/// </list>
/// Normaliser buffers are checked to be ImageNet's (our models normalise with ImageNet statistics inside) and then dropped.
/// </summary>
public static class AuthorsCheckpointImport
{
    /// <summary>
    /// <c>PoolingModel.core_model</c> (<c>part_model/models/seg_part_models/pooling_model.py</c>, experiment
    /// <c>part-pooling-4-semi</c>): 0 AdaptiveAvgPool2d(4), 1 Conv2d(K,5K,4), 2 BatchNorm2d(5K), 3 ReLU, 4 Flatten,
    /// 5 Linear(5K,50), 6 BatchNorm1d(50), 7 ReLU, 8 Linear(50,C) → our <see cref="DownsampledPartClassifier"/> layers.
    /// </summary>
    public static readonly IReadOnlyDictionary<int, string> DownsampledHead = new Dictionary<int, string>
    {
        [1] = "conv", [2] = "bn2d", [5] = "fc1", [6] = "bn1d", [8] = "fc2",
    };

    /// <summary>
    /// <c>WeightedBBoxModel.core_model</c> (<c>part_model/models/seg_part_models/weighted_bbox_model.py</c>, experiment
    /// <c>part-wbbox-norm_img-semi</c>): 0 Identity, 1 Flatten, 2 BatchNorm1d(5(K−1)), 3 Linear(5(K−1),50), 4 ReLU,
    /// 5 BatchNorm1d(50), 6 Linear(50,C) → our <see cref="BoundingBoxPartClassifier"/> layers.
    /// </summary>
    public static readonly IReadOnlyDictionary<int, string> BoundingBoxHead = new Dictionary<int, string>
    {
        [2] = "bn_in", [3] = "fc1", [5] = "bn_hidden", [6] = "fc2",
    };

    /// <summary>
    /// The authors' name → our name for a model of registry kind <paramref name="modelName"/>; null for the normaliser
    /// buffers (checked separately). Names that fit no rule come back unchanged, so they end up reported as unused.
    /// </summary>
    /// <param name="name">A name of the authors' state_dict.</param>
    /// <param name="modelName">Our registry name: <c>part-downsampled</c>, <c>part-bbox</c> or a ResNet classifier.</param>
    /// <param name="classifierTrunkPrefix">Where our classifier keeps its torchvision-named trunk (see <see cref="TorchvisionResNetImport.TrunkPrefix"/>).</param>
    public static string? MapName(string name, string modelName, string classifierTrunkPrefix = "")
    {
        string n = TorchvisionResNetImport.StripModulePrefix(name);
        if (IsNormalizer(n)) return null;
        if (n.StartsWith("_model.", StringComparison.Ordinal)) n = n["_model.".Length..];
        else if (n.StartsWith("1.", StringComparison.Ordinal)) n = n["1.".Length..];

        if (!ModelRegistry.IsPartModel(modelName))
            return n.StartsWith("fc.", StringComparison.Ordinal) ? n : classifierTrunkPrefix + n;

        foreach (var seg in new[] { "_segmenter.", "segmenter." })
            if (n.StartsWith(seg, StringComparison.Ordinal))
            {
                string rest = n[seg.Length..];
                if (IsNormalizer(rest)) return null;
                if (rest.StartsWith("1.", StringComparison.Ordinal)) rest = rest["1.".Length..];
                return "segmenter." + rest;
            }
        // PartMaskModel (part_mask_model.py, experiment part-mask-…): core_model is a timm ResNet on the masks.
        if (modelName == "part-mask" && n.StartsWith("core_model.", StringComparison.Ordinal))
            return "head.resnet." + n["core_model.".Length..];
        if (n.StartsWith("core_model.", StringComparison.Ordinal))
        {
            var parts = n.Split('.', 3);
            var table = modelName == "part-bbox" ? BoundingBoxHead : modelName == "part-downsampled" ? DownsampledHead : null;
            if (parts.Length == 3 && int.TryParse(parts[1], out int index) && table is not null && table.TryGetValue(index, out var layer))
                return $"head.{layer}.{parts[2]}";
        }
        return n;
    }

    /// <summary>True for a normaliser buffer: <c>mean</c>/<c>std</c> (current wrapper) or <c>0.mean</c>/<c>0.std</c> (Sequential).</summary>
    private static bool IsNormalizer(string n) => n is "mean" or "std" or "0.mean" or "0.std";

    /// <summary>
    /// Fills <paramref name="model"/> (built from the registry as <paramref name="modelName"/>) from the authors'
    /// checkpoint tensors, strictly (see <see cref="WeightTransfer"/>).
    /// </summary>
    /// <exception cref="InvalidDataException">The checkpoint does not fit, or its normaliser is not ImageNet's, or it
    /// normalises twice.</exception>
    public static WeightTransferResult Import(nn.Module model, string modelName, StateDict source, string file)
    {
        CheckNormalizers(source, file);
        string trunk = ModelRegistry.IsPartModel(modelName) ? "" : TorchvisionResNetImport.TrunkPrefix(model);
        return WeightTransfer.Apply(model, source, n => MapName(n, modelName, trunk), file);
    }

    /// <summary>
    /// The sizes a checkpoint implies for a part model: K from the segmentation head's output channels and C from the
    /// head's last layer; null when the names are not there.
    /// </summary>
    public static (int? NumSegLabels, int? NumClasses) InferSizes(StateDict source, string modelName)
    {
        int? k = null, c = null;
        foreach (var name in source.Names)
        {
            string? ours = MapName(name, modelName);
            if (ours is null) continue;
            var shape = source[name].shape;
            if (ours is "segmenter.segmentation_head.0.weight" or "segmenter.classifier.4.weight" && shape.Length == 4) k = (int)shape[0];
            if (ours is "head.fc2.weight" or "head.resnet.fc.weight" or "fc.weight" && shape.Length == 2) c = (int)shape[0];
        }
        return (k, c);
    }

    private static void CheckNormalizers(StateDict source, string file)
    {
        var found = source.Names.Where(n => MapName(n, "part-bbox") is null).ToList();
        var means = found.Where(n => n.EndsWith("mean", StringComparison.Ordinal)).ToList();
        if (means.Count > 1)
            throw new InvalidDataException($"{file}: normalises twice ({string.Join(", ", means)}); our models normalise once, with ImageNet statistics");
        using var scope = NewDisposeScope();
        foreach (var n in found)
        {
            var expected = n.EndsWith("mean", StringComparison.Ordinal) ? ImageNormalization.ImageNetMean : ImageNormalization.ImageNetStd;
            var values = source[n].to_type(ScalarType.Float32).flatten().data<float>().ToArray();
            if (values.Length != 3 || values.Zip(expected).Any(p => Math.Abs(p.First - p.Second) > 1e-5))
                throw new InvalidDataException($"{file}: normaliser {n} is [{string.Join(", ", values)}], expected ImageNet's [{string.Join(", ", expected)}] " +
                                               "(our models normalise with ImageNet statistics)");
        }
    }
}
