using System.Collections;
using System.IO.Compression;
using PartRobust.Interop;
using Xunit;
using PartRobust.Weights;
using static TorchSharp.torch;
using static PartRobust.Tests.Interop.InteropTestFiles;

namespace PartRobust.Tests.Weights;

public class StateDictFileTests
{
    static StateDict Sample()
    {
        var g = new Generator(11);
        var sd = new StateDict();
        sd.Add("conv1.weight", randn(new long[] { 4, 3, 3, 3 }, generator: g));
        sd.Add("bn1.running_mean", randn(new long[] { 4 }, generator: g));
        sd.Add("bn1.num_batches_tracked", tensor(17L));
        sd.Add("layer1.0.conv1.weight", randn(new long[] { 4, 4, 3, 3 }, generator: g).to_type(ScalarType.Float64));
        sd.Add("fc.weight", randn(new long[] { 2, 4 }, generator: g).to_type(ScalarType.Float16));
        sd.Add("mask", tensor(new[] { true, false, true }));
        sd.Add("a.b", randn(new long[] { 3, 2 }, generator: g).t()); // non-contiguous on purpose
        return sd;
    }

    [Theory]
    [InlineData("w.pt", StateDictFormat.PyTorch)]
    [InlineData("w.safetensors", StateDictFormat.Safetensors)]
    public void Round_trip_keeps_names_order_dtypes_and_values(string file, StateDictFormat format)
    {
        string dir = TempDir();
        string path = Path.Combine(dir, file);
        using var sd = Sample();
        StateDictFile.Write(path, sd, format);
        using var back = StateDictFile.Read(path);
        AssertSameTensors(sd, back);
        Assert.Null(back.Entry);
        Assert.Single(Directory.GetFiles(dir)); // no temporary file left behind
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Pt_written_by_pybridge_reads_back_equal_and_in_saved_order()
    {
        string dir = TempDir();
        string path = Path.Combine(dir, "sd.pth");
        using var sd = Sample();
        // Names whose hash order differs from insertion order: the reader must recover the pickle's order.
        var dict = Clone(sd.Items.Reverse());
        WritePt(path, dict);
        using var back = StateDictFile.Read(path);
        Assert.Equal(dict.Keys, back.Names);
        foreach (var (n, t) in dict) Assert.True(t.eq(back[n]).all().item<bool>());
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Training_checkpoint_dicts_are_unwrapped()
    {
        string dir = TempDir();
        using var sd = Sample();
        foreach (var entry in new[] { "state_dict", "model", "module" })
        {
            string path = Path.Combine(dir, entry + ".pt");
            var top = new Hashtable
            {
                [entry] = Clone(sd.Items),
                ["epoch"] = 7,
                ["best_acc1"] = tensor(0.5f), // a stray tensor outside the state_dict, as the authors' scripts may save
                ["optimizer"] = new Hashtable { ["state"] = new Hashtable(), ["param_groups"] = new ArrayList { new Hashtable { ["lr"] = 0.1 } } },
            };
            WritePt(path, top);
            using var back = StateDictFile.Read(path);
            Assert.Equal(entry, back.Entry);
            AssertSameTensors(sd, back);
        }
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Bad_files_give_one_line_errors_naming_the_file()
    {
        string dir = TempDir();
        string P(string name) => Path.Combine(dir, name);

        static void OneLine(Exception e, string file, string what)
        {
            Assert.DoesNotContain('\n', e.Message);
            Assert.Contains(file, e.Message);
            Assert.Contains(what, e.Message);
        }

        OneLine(Assert.Throws<FileNotFoundException>(() => StateDictFile.Read(P("missing.pt"))), "missing.pt", "not found");
        OneLine(Assert.Throws<InvalidDataException>(() => StateDictFile.Read(dir)), dir, "folder");

        File.WriteAllBytes(P("empty.pt"), Array.Empty<byte>());
        OneLine(Assert.Throws<InvalidDataException>(() => StateDictFile.Read(P("empty.pt"))), "empty.pt", "empty");

        File.WriteAllText(P("text.pt"), "hello, not a checkpoint");
        OneLine(Assert.Throws<InvalidDataException>(() => StateDictFile.Read(P("text.pt"))), "text.pt", "neither");

        // A protocol-2 pickle of {} (what torch.save wrote before 1.6, or pickle.dump).
        File.WriteAllBytes(P("legacy.pt"), new byte[] { 0x80, 0x02, 0x7d, 0x71, 0x00, 0x2e });
        OneLine(Assert.Throws<InvalidDataException>(() => StateDictFile.Read(P("legacy.pt"))), "legacy.pt", "legacy");

        // A zip without data.pkl.
        using (var zip = ZipFile.Open(P("nopkl.pt"), ZipArchiveMode.Create))
            using (var w = new StreamWriter(zip.CreateEntry("archive/version").Open())) w.Write("3\n");
        OneLine(Assert.Throws<InvalidDataException>(() => StateDictFile.Read(P("nopkl.pt"))), "nopkl.pt", "not a readable PyTorch checkpoint");

        // A corrupt zip: a valid one cut in half.
        using (var sd = Sample()) StateDictFile.Write(P("whole.pt"), sd, StateDictFormat.PyTorch);
        var bytes = File.ReadAllBytes(P("whole.pt"));
        File.WriteAllBytes(P("cut.pt"), bytes[..(bytes.Length / 2)]);
        OneLine(Assert.Throws<InvalidDataException>(() => StateDictFile.Read(P("cut.pt"))), "cut.pt", "not a readable PyTorch checkpoint");

        // A checkpoint dict with no tensors.
        WritePt(P("notensors.pt"), new Hashtable { ["epoch"] = 3, ["args"] = "x" });
        OneLine(Assert.Throws<InvalidDataException>(() => StateDictFile.Read(P("notensors.pt"))), "notensors.pt", "no tensors");

        // Safetensors: truncated data, trailing bytes.
        using (var sd = Sample()) StateDictFile.Write(P("w.safetensors"), sd, StateDictFormat.Safetensors);
        var st = File.ReadAllBytes(P("w.safetensors"));
        File.WriteAllBytes(P("short.safetensors"), st[..^4]);
        OneLine(Assert.Throws<InvalidDataException>(() => StateDictFile.Read(P("short.safetensors"))), "short.safetensors", "cover");
        File.WriteAllBytes(P("long.safetensors"), st.Concat(new byte[8]).ToArray());
        OneLine(Assert.Throws<InvalidDataException>(() => StateDictFile.Read(P("long.safetensors"))), "long.safetensors", "cover");
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Strip_prefix_selects_and_renames()
    {
        using var sd = Sample();
        using var layer = sd.StripPrefix("layer1.");
        Assert.Equal(new[] { "0.conv1.weight" }, layer.Names);
        Assert.Contains("no tensor name starts with 'head.'", Assert.Throws<ArgumentException>(() => sd.StripPrefix("head.")).Message);
    }
}
