using System.Collections;
using System.Text.Json;
using PartRobust.Cli;
using PartRobust.Data;
using PartRobust.Interop;
using PartRobust.Models;
using PartRobust.Training;
using Xunit;
using PartRobust.Weights;
using static TorchSharp.torch;
using static PartRobust.Tests.Interop.InteropTestFiles;

namespace PartRobust.Tests.Interop;

/// <summary><c>partrobust import</c>, <c>export</c> and <c>train --pretrained-backbone</c>, run in-process.</summary>
[Collection("console")]
public class InteropCliTests
{
    static readonly PartTaxonomy Taxonomy = PartImageNetTaxonomy.Select(new[] { "Car", "Fish" });

    static (int Code, string Out, string Err) Run(params string[] args) => TestSupport.CliRunner.Run(args);

    static void AssertOneLineError((int Code, string Out, string Err) r, string mustContain)
    {
        Assert.Equal(2, r.Code);
        var lines = r.Err.Trim().Split('\n');
        Assert.Single(lines);
        Assert.Contains(mustContain, lines[0]);
    }

    /// <summary>An authors-style checkpoint of a compact Downsampled model (names as their PoolingModel under SegClassifier and DDP).</summary>
    static nn.Module<Tensor, Tensor> WriteAuthorsCheckpoint(string file)
    {
        manual_seed(5);
        var model = ModelRegistry.Create(new ModelSpec("part-downsampled", Taxonomy.NumClasses, Taxonomy.NumSegLabels, 32, 8));
        MoveBatchNormStatistics(model, 32);
        var head = AuthorsCheckpointImport.DownsampledHead.ToDictionary(kv => kv.Value, kv => kv.Key);
        var sd = Clone(model.state_dict().Select(kv =>
        {
            string name = kv.Key.StartsWith("segmenter.") ? "_segmenter." + kv.Key["segmenter.".Length..]
                : $"core_model.{head[kv.Key.Split('.')[1]]}.{kv.Key.Split('.', 3)[2]}";
            return ("module._model." + name, kv.Value);
        }));
        sd["module.mean"] = tensor(ImageNormalization.ImageNetMean).reshape(1, 3, 1, 1);
        sd["module.std"] = tensor(ImageNormalization.ImageNetStd).reshape(1, 3, 1, 1);
        WritePt(file, new Hashtable { ["state_dict"] = sd, ["epoch"] = 50 });
        return model;
    }

    [Fact]
    public void Import_then_eval_and_export_work_from_the_command_line()
    {
        string dir = TempDir();
        string pt = Path.Combine(dir, "checkpoint_best.pt");
        using var source = WriteAuthorsCheckpoint(pt);
        string stem = Path.Combine(dir, "imported", "downsampled");

        var r = Run("import", "--format", "authors", "--in", pt, "--model", "part-downsampled", "--segmenter", "compact",
            "--classes", "Car,Fish", "--image-size", "32", "--width", "8", "--out", stem);
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("entry 'state_dict'", r.Out);
        Assert.True(File.Exists(stem + ".safetensors") && File.Exists(stem + ".json"));

        var e = Run("eval", "--checkpoint", stem, "--test-size", "4", "--attack-points", "0",
            "--autoattack-points", "0", "--out", Path.Combine(dir, "eval"));
        Assert.True(e.Code == 0, e.Err);
        Assert.True(File.Exists(Path.Combine(dir, "eval", "report.json")));

        // Export: whole model as safetensors, the segmenter alone as a .pt with smp-style names.
        string st = Path.Combine(dir, "export", "model.safetensors");
        var x1 = Run("export", "--checkpoint", stem + ".json", "--out", st);
        Assert.True(x1.Code == 0, x1.Err);
        using (var back = StateDictFile.Read(st))
        using (var live = StateDict.FromModule(source))
            AssertSameTensors(live, back);
        string seg = Path.Combine(dir, "export", "segmenter.pt");
        var x2 = Run("export", "--checkpoint", stem, "--format", "pt", "--strip-prefix", "segmenter.", "--out", seg);
        Assert.True(x2.Code == 0, x2.Err);
        using (var back = StateDictFile.Read(seg))
        {
            var expected = source.state_dict().Where(kv => kv.Key.StartsWith("segmenter.")).ToList();
            Assert.Equal(expected.Select(kv => kv.Key["segmenter.".Length..]), back.Names);
            foreach (var (k, v) in expected) Assert.True(v.eq(back[k["segmenter.".Length..]]).all().item<bool>(), k);
        }
        Assert.Empty(Directory.GetFiles(Path.Combine(dir, "export"), "*.tmp"));

        // Export → Load round trip: the exported safetensors is a valid checkpoint weight file.
        string copy = Path.Combine(dir, "copy");
        File.Copy(st, copy + ".safetensors");
        File.Copy(stem + ".json", copy + ".json");
        var (loaded, _) = Checkpoint.Load(copy);
        using (loaded)
        using (var x = Input(2, 32))
        using (var want = source.call(x))
        using (var got = loaded.call(x))
            Assert.Equal(want.data<float>().ToArray(), got.data<float>().ToArray());
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Bad_import_and_export_input_gives_one_line_errors()
    {
        string dir = TempDir();
        string missing = Path.Combine(dir, "missing.pt");
        AssertOneLineError(Run("import", "--format", "authors", "--in", missing, "--model", "part-bbox", "--segmenter", "compact", "--out", Path.Combine(dir, "m")), "missing.pt");
        AssertOneLineError(Run("import", "--format", "timm", "--in", missing, "--model", "part-bbox", "--out", Path.Combine(dir, "m")), "--format timm");
        AssertOneLineError(Run("import", "--format", "authors", "--in", missing, "--model", "part-wat", "--out", Path.Combine(dir, "m")), "part-wat");
        string junk = Path.Combine(dir, "junk.pth");
        File.WriteAllText(junk, "junk");
        AssertOneLineError(Run("import", "--format", "torchvision", "--in", junk, "--model", "resnet18", "--num-classes", "2", "--out", Path.Combine(dir, "m")), "junk.pth");
        AssertOneLineError(Run("export", "--checkpoint", Path.Combine(dir, "nope"), "--out", Path.Combine(dir, "x.safetensors")), "nope");
        AssertOneLineError(Run("export", "--checkpoint", Path.Combine(dir, "nope"), "--format", "onnx", "--out", Path.Combine(dir, "x.onnx")), "--format onnx");
        Assert.False(File.Exists(Path.Combine(dir, "m.json")));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Train_loads_a_pretrained_backbone_and_records_it()
    {
        string dir = TempDir();
        manual_seed(9);
        using var source = ModelRegistry.Create(new ModelSpec("resnet18", 1000, 1, 32, 8)); // an "ImageNet" classifier: 1000 classes
        string file = Path.Combine(dir, "resnet18-imagenet.pth");
        WritePt(file, Clone(source.state_dict().Select(kv => (kv.Key.StartsWith("backbone.") ? kv.Key["backbone.".Length..] : kv.Key, kv.Value))));
        var tiny = new[]
        {
            "--image-size", "32", "--classes", "Car,Fish", "--train-size", "8", "--val-size", "4", "--test-size", "4", "--attack-points", "0",
            "--width", "8", "--clean-epochs", "1", "--adv-epochs", "0", "--batch-size", "4", "--pgd-steps", "1", "--autoattack-points", "0",
        };
        string run = Path.Combine(dir, "run");
        var r = Run(new[] { "train", "--model", "part-downsampled", "--pretrained-backbone", file, "--out", run }.Concat(tiny).ToArray());
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("backbone tensors loaded from", r.Out + r.Err);
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "config.json"))))
            Assert.Equal(file, doc.RootElement.GetProperty("pretrained_backbone").GetString());

        // A backbone of another width does not fit: one line naming the file, no run folder.
        using var wide = ModelRegistry.Create(new ModelSpec("resnet18", 10, 1, 32, 16));
        string bad = Path.Combine(dir, "wide.safetensors");
        using (var sd = new StateDict())
        {
            foreach (var (k, v) in Clone(wide.state_dict().Select(kv => (kv.Key.StartsWith("backbone.") ? kv.Key["backbone.".Length..] : kv.Key, kv.Value)))) sd.Add(k, v);
            StateDictFile.Write(bad, sd, StateDictFormat.Safetensors);
        }
        string run2 = Path.Combine(dir, "run2");
        AssertOneLineError(Run(new[] { "train", "--model", "resnet18", "--pretrained-backbone", bad, "--out", run2 }.Concat(tiny).ToArray()), "wide.safetensors");
        Assert.False(Directory.Exists(run2));
        AssertOneLineError(Run(new[] { "train", "--model", "resnet18", "--pretrained-backbone", bad + ".missing", "--out", run2 }.Concat(tiny).ToArray()), "--pretrained-backbone");
        Directory.Delete(dir, true);
    }
}
