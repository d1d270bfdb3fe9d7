using System.Collections;
using PartRobust.Interop;
using TorchSharp.PyBridge;
using PartRobust.Weights;
using static TorchSharp.torch;

namespace PartRobust.Tests.Interop;

/// <summary>Helpers shared by the interop tests: temp folders and PyTorch files written with PyBridge's pickler.</summary>
static class InteropTestFiles
{
    public static string TempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "partrobust-tests", "interop-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>
    /// Writes a torch.save-style zip whose pickle is <paramref name="top"/> (a Hashtable/Dictionary whose values may be
    /// tensors, nested dictionaries, numbers or strings), as training scripts' checkpoints are.
    /// </summary>
    public static void WritePt(string path, IDictionary top)
    {
        using var stream = File.Create(path);
        PyTorchPickler.PickleStateDict(stream, top);
    }

    /// <summary>Named tensors, cloned to contiguous CPU tensors.</summary>
    public static Dictionary<string, Tensor> Clone(IEnumerable<(string Name, Tensor Tensor)> items) =>
        items.ToDictionary(p => p.Name, p => p.Tensor.detach().cpu().contiguous().clone());

    public static void AssertSameTensors(StateDict expected, StateDict actual)
    {
        Xunit.Assert.Equal(expected.Names, actual.Names);
        foreach (var n in expected.Names)
        {
            Xunit.Assert.Equal(expected[n].dtype, actual[n].dtype);
            Xunit.Assert.Equal(expected[n].shape, actual[n].shape);
            Xunit.Assert.True(expected[n].eq(actual[n]).all().item<bool>(), $"tensor {n} differs");
        }
    }

    /// <summary>A fixed input in [0,1].</summary>
    public static Tensor Input(int batch, int size, long seed = 7)
    {
        var g = new Generator((ulong)seed);
        return rand(new long[] { batch, 3, size, size }, generator: g);
    }

    /// <summary>Runs batches in train mode so BatchNorm running statistics differ from their initial values.</summary>
    public static void MoveBatchNormStatistics(nn.Module<Tensor, Tensor> model, int size)
    {
        model.train();
        using (no_grad()) using (var x = Input(4, size, seed: 3)) model.call(x).Dispose();
        model.eval();
    }
}
