using static TorchSharp.torch;

namespace PartRobust.Weights;

/// <summary>
/// Imports a torchvision ResNet state_dict (<c>conv1.*</c>, <c>bn1.*</c>, <c>layer1..4.M.*</c>, <c>fc.*</c>; also timm's
/// ResNets, which use the same names, and files saved from a DataParallel/DDP wrapper, whose names start with
/// <c>module.</c>) into our models: the whole classifier (<c>resnet18|34|50</c>), or only the ResNet trunk of any model
/// (a classifier's trunk, the encoder of a DeepLabV3+ segmenter, the backbone of a DeepLabV3 segmenter) for
/// ImageNet-pretrained backbones.
/// </summary>
public static class TorchvisionResNetImport
{
    private const string TrunkMarker = "layer1.0.conv1.weight";

    /// <summary>
    /// The prefix under which <paramref name="model"/> holds a torchvision-named ResNet trunk: <c>""</c> for a classifier
    /// with torchvision's names, <c>segmenter.encoder.</c> for DeepLabV3+ (smp), <c>segmenter.backbone.</c> for DeepLabV3
    /// (torchvision) — found as the model tensor ending in <c>layer1.0.conv1.weight</c> beside a <c>conv1.weight</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The model has no such trunk.</exception>
    public static string TrunkPrefix(nn.Module model)
    {
        var keys = model.state_dict().Keys.ToHashSet(StringComparer.Ordinal);
        foreach (var k in keys)
            if (k.EndsWith(TrunkMarker, StringComparison.Ordinal) && k[..^TrunkMarker.Length] is var p && (p.Length == 0 || p.EndsWith('.')) && keys.Contains(p + "conv1.weight"))
                return p;
        throw new ArgumentException($"the model has no torchvision-named ResNet trunk (no '…{TrunkMarker}' beside '…conv1.weight')");
    }

    /// <summary>Source name with DataParallel/DDP's leading <c>module.</c> prefixes removed.</summary>
    public static string StripModulePrefix(string name)
    {
        while (name.StartsWith("module.", StringComparison.Ordinal)) name = name["module.".Length..];
        return name;
    }

    /// <summary>
    /// Fills a ResNet classifier from a torchvision state_dict: the trunk and <c>fc</c>. When the file's <c>fc</c> has
    /// another shape (e.g. ImageNet's 1000 classes) this fails unless <paramref name="skipFc"/>, which keeps the model's
    /// <c>fc</c> and reports the file's as unused.
    /// </summary>
    /// <exception cref="InvalidDataException">The file does not fit the model (the message names the file and the tensors).</exception>
    public static WeightTransferResult ImportClassifier(nn.Module model, StateDict source, string file, bool skipFc = false)
    {
        string prefix = TrunkPrefix(model);
        if (!skipFc && source.Names.FirstOrDefault(n => StripModulePrefix(n) == "fc.weight") is { } fcName &&
            model.state_dict().TryGetValue("fc.weight", out var fc) && !source[fcName].shape.SequenceEqual(fc.shape))
            throw new InvalidDataException($"{file}: fc.weight is [{string.Join(",", source[fcName].shape)}] ({source[fcName].shape[0]} classes) " +
                                           $"but the model's is [{string.Join(",", fc.shape)}] ({fc.shape[0]} classes); " +
                                           "skip fc (--skip-fc) to keep the model's own classifier layer");
        return WeightTransfer.Apply(model, source, n => MapClassifier(StripModulePrefix(n), prefix), file,
            isTarget: k => !skipFc || !k.StartsWith("fc.", StringComparison.Ordinal));
    }

    /// <summary>
    /// Fills only the ResNet trunk of <paramref name="model"/> (see <see cref="TrunkPrefix"/>) from a torchvision
    /// state_dict; the file's <c>fc</c> is reported unused and every other model tensor (heads, decoders, a classifier's
    /// <c>fc</c>) is left as it was.
    /// </summary>
    /// <exception cref="InvalidDataException">The file does not fit the trunk.</exception>
    public static WeightTransferResult ImportBackbone(nn.Module model, StateDict source, string file)
    {
        string prefix = TrunkPrefix(model);
        return WeightTransfer.Apply(model, source, n => MapClassifier(StripModulePrefix(n), prefix), file,
            isTarget: k => k.StartsWith(prefix, StringComparison.Ordinal) && !k.StartsWith(prefix + "fc.", StringComparison.Ordinal) &&
                           !(prefix.Length == 0 && k.StartsWith("fc.", StringComparison.Ordinal)));
    }

    /// <summary>Reads <paramref name="file"/> and fills the ResNet trunk of <paramref name="model"/> (see <see cref="ImportBackbone(nn.Module, StateDict, string)"/>).</summary>
    public static WeightTransferResult ImportBackbone(nn.Module model, string file)
    {
        using var source = StateDictFile.Read(file);
        return ImportBackbone(model, source, file);
    }

    /// <summary>torchvision name → our name: <c>fc.*</c> stays <c>fc.*</c>, trunk names get the trunk prefix.</summary>
    private static string MapClassifier(string name, string trunkPrefix) =>
        name.StartsWith("fc.", StringComparison.Ordinal) ? name : trunkPrefix + name;
}
