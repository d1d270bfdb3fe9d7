using System.CommandLine;
using PartRobust.Interop;
using PartRobust.Weights;

namespace PartRobust.Cli;

/// <summary>The <c>import</c> and <c>export</c> commands: PyTorch weight files in and out.</summary>
static class InteropCommands
{
    public static Command Import()
    {
        var cmd = new Command("import", "Turn a PyTorch weight file (.pt/.pth or .safetensors) into a PartRobust checkpoint (NAME.safetensors + NAME.json) " +
                                        "that eval and attack accept: the paper's released checkpoints (--format authors) or a torchvision ResNet (--format torchvision). See docs/interop.md.");
        var format = new Option<string>("--format") { Description = "authors (chawins/adv-part-model checkpoints: part models and the ResNet baseline) or torchvision (a ResNet state_dict)", Required = true };
        var input = new Option<string>("--in") { Description = "Input file: .pt/.pth (torch.save zip; a state_dict or a dict with 'state_dict'/'model'/'module') or .safetensors", Required = true };
        var model = new Option<string>("--model") { Description = "Model to build: part-downsampled, part-bbox or a ResNet classifier (e.g. resnet50)", Required = true };
        var outOpt = new Option<string>("--out") { Description = "Checkpoint stem to write: NAME → NAME.safetensors + NAME.json", Required = true };
        var segmenter = new Option<string?>("--segmenter") { Description = "Segmenter of a part model (default deeplabv3plus-resnet50, as the paper's)" };
        var dataset = new Option<string?>("--dataset") { Description = "partimagenet: PartImageNet's 11 classes and 40 parts (the authors' order); default: generic names" };
        var classes = new Option<string?>("--classes") { Description = "Comma-separated PartImageNet classes the model was trained on (a subset; implies --dataset partimagenet)" };
        var numClasses = new Option<int?>("--num-classes") { Description = "Classes C with generic names (default: read from the file)" };
        var numSeg = new Option<int?>("--num-seg-labels") { Description = "Segmentation labels K incl. background with generic names (default: read from the file)" };
        var size = new Option<int?>("--image-size") { Description = "Input size the model is for (default 224)" };
        var width = new Option<int?>("--width") { Description = "First-stage ResNet width (default 64, torchvision's)" };
        var skipFc = new Option<bool>("--skip-fc") { Description = "torchvision: keep a fresh fc instead of the file's (e.g. ImageNet's 1000 classes for a C-class model)" };
        foreach (var o in new Option[] { format, input, model, outOpt, segmenter, dataset, classes, numClasses, numSeg, size, width, skipFc }) cmd.Options.Add(o);
        cmd.SetAction(p =>
        {
            var request = new ModelImportRequest
            {
                Format = p.GetValue(format) switch
                {
                    "authors" => ModelImport.SourceFormat.Authors,
                    "torchvision" => ModelImport.SourceFormat.Torchvision,
                    var other => throw new ArgumentException($"--format {other}: expected authors or torchvision"),
                },
                Input = p.GetValue(input)!,
                Model = p.GetValue(model)!,
                Out = p.GetValue(outOpt)!,
                Segmenter = p.GetValue(segmenter) ?? "deeplabv3plus-resnet50",
                Dataset = p.GetValue(dataset),
                Classes = p.GetValue(classes) is { } c ? SharedOptions.Split(c) : null,
                NumClasses = p.GetValue(numClasses),
                NumSegLabels = p.GetValue(numSeg),
                ImageSize = p.GetValue(size) ?? 224,
                Width = p.GetValue(width) ?? 64,
                SkipFc = p.GetValue(skipFc),
            };
            var result = ModelImport.Run(request);
            foreach (var w in result.Warnings) Console.Error.WriteLine($"partrobust: warning: {w}");
            Console.WriteLine($"imported {result.Transfer.Filled} tensors from {request.Input}" + (result.Entry is { } e ? $" (entry '{e}')" : "") +
                              $" into {result.Spec.Name}" + (Models.ModelRegistry.IsPartModel(result.Spec.Name) ? $" with segmenter {result.Spec.Segmenter}" : "") +
                              $": {result.Taxonomy.NumClasses} classes, {result.Taxonomy.NumSegLabels} segmentation labels, {result.Spec.ImageSize}px");
            Console.WriteLine($"wrote {request.Out}.safetensors and {request.Out}.json");
            return 0;
        });
        return cmd;
    }

    public static Command Export()
    {
        var cmd = new Command("export", "Write a checkpoint's weights as a PyTorch-loadable file: safetensors (recommended) or a torch.save zip (.pt). " +
                                        "Names are PyTorch's (torchvision / smp); see docs/interop.md for loading them in PyTorch.");
        var checkpoint = new Option<string>("--checkpoint") { Description = "Checkpoint: NAME.safetensors, NAME.json or NAME", Required = true };
        var format = new Option<string>("--format") { Description = "safetensors (default) or pt", DefaultValueFactory = _ => "safetensors" };
        var outOpt = new Option<string>("--out") { Description = "File to write (through a temporary name)", Required = true };
        var strip = new Option<string?>("--strip-prefix") { Description = "Write only the tensors under this prefix, without it (e.g. segmenter. for smp's DeepLabV3Plus)" };
        foreach (var o in new Option[] { checkpoint, format, outOpt, strip }) cmd.Options.Add(o);
        cmd.SetAction(p =>
        {
            var fmt = StateDictFormats.Parse(p.GetValue(format)!);
            string outFile = p.GetValue(outOpt)!;
            var result = CheckpointExport.Export(p.GetValue(checkpoint)!, outFile, fmt, p.GetValue(strip));
            Console.WriteLine($"wrote {result.Tensors} tensors ({result.Bytes:N0} bytes, {fmt}) to {outFile}; first names: {string.Join(", ", result.FirstNames)}");
            return 0;
        });
        return cmd;
    }
}
