using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using PartRobust.Data;
using PartRobust.Interop;
using PartRobust.Models;
using PartRobust.Training;
using Xunit;
using PartRobust.Weights;
using static PartRobust.Tests.Interop.InteropTestFiles;

namespace PartRobust.Tests.Weights;

/// <summary>
/// The safetensors files our checkpoints write (PyBridge's writer) against the format's rules, read with our own
/// minimal parser and, independently, byte by byte here.
/// </summary>
public class SafetensorsFormatTests
{
    [Theory]
    [InlineData("resnet18")]
    [InlineData("part-downsampled")]
    public void Checkpoint_weights_follow_the_safetensors_format(string name)
    {
        string dir = TempDir();
        var taxonomy = PartImageNetTaxonomy.Select(new[] { "Car", "Fish" });
        var spec = new ModelSpec(name, taxonomy.NumClasses, taxonomy.NumSegLabels, 32, 8);
        using var model = ModelRegistry.Create(spec);
        string stem = Path.Combine(dir, name);
        Checkpoint.Save(stem, model, new CheckpointInfo { Model = spec, Taxonomy = taxonomy });
        string file = stem + ".safetensors";

        // By hand: 8-byte little-endian N, N bytes of JSON starting with '{', the rest is data.
        var bytes = File.ReadAllBytes(file);
        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.InRange(n, 2, bytes.Length - 8);
        Assert.Equal((byte)'{', bytes[8]);
        using var doc = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, (int)n));
        long dataLength = bytes.Length - 8 - n;
        var spans = new List<(long Begin, long End)>();
        var state = model.state_dict();
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            Assert.NotEqual("__metadata__", p.Name); // PyBridge writes none
            var offsets = p.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var shape = p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            string dtype = p.Value.GetProperty("dtype").GetString()!;
            Assert.Equal(state[p.Name].shape, shape);
            Assert.Equal(p.Name.EndsWith("num_batches_tracked") ? "I64" : "F32", dtype);
            Assert.Equal(shape.Aggregate(1L, (a, d) => a * d) * (dtype == "I64" ? 8 : 4), offsets[1] - offsets[0]);
            spans.Add((offsets[0], offsets[1]));
        }
        Assert.Equal(state.Count, spans.Count);
        long expected = 0;
        foreach (var (b, e) in spans.OrderBy(s => s.Begin)) { Assert.Equal(expected, b); expected = e; }
        Assert.Equal(dataLength, expected); // the data is covered exactly: no holes, no overlap, no trailing bytes

        // Our reader agrees, and so do the tensors.
        var header = SafetensorsLayout.Read(file);
        Assert.Equal(n, header.HeaderLength);
        Assert.Equal(dataLength, header.DataLength);
        Assert.Equal(state.Keys, header.Entries.Select(e => e.Name)); // written in state_dict order
        using var read = StateDictFile.Read(file);
        using var live = StateDict.FromModule(model);
        AssertSameTensors(live, read);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Reader_rejects_holes_overlaps_and_bad_sizes()
    {
        string dir = TempDir();
        string Write(string name, string json, int dataBytes)
        {
            var j = Encoding.UTF8.GetBytes(json);
            var bytes = new byte[8 + j.Length + dataBytes];
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)j.Length);
            j.CopyTo(bytes, 8);
            string path = Path.Combine(dir, name);
            File.WriteAllBytes(path, bytes);
            return path;
        }
        var ok = SafetensorsLayout.Read(Write("ok.safetensors",
            "{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[8,16]}}   ", 16));
        Assert.Equal("pt", ok.Metadata["format"]);
        Assert.Equal(2, ok.Entries.Count);

        Assert.Contains("expected 4", Assert.Throws<InvalidDataException>(() => SafetensorsLayout.Read(Write("hole.safetensors",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12))).Message);
        Assert.Contains("expected 8", Assert.Throws<InvalidDataException>(() => SafetensorsLayout.Read(Write("overlap.safetensors",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8))).Message);
        Assert.Contains("needs 12", Assert.Throws<InvalidDataException>(() => SafetensorsLayout.Read(Write("size.safetensors",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8))).Message);
        Assert.Contains("unknown dtype", Assert.Throws<InvalidDataException>(() => SafetensorsLayout.Read(Write("dtype.safetensors",
            "{\"a\":{\"dtype\":\"F31\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4))).Message);
        Assert.Contains("malformed JSON", Assert.Throws<InvalidDataException>(() => SafetensorsLayout.Read(Write("json.safetensors",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4))).Message);
        Directory.Delete(dir, true);
    }
}
