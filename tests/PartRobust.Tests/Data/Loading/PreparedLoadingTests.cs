using PartRobust.Data;
using PartRobust.Data.Loading;
using PartRobust.Data.Prepare;
using PartRobust.Data.Transforms;
using PartRobust.Tests.TestSupport;
using PartRobust.Training;
using Xunit;
using static TorchSharp.torch;

namespace PartRobust.Tests.Data.Loading;

public sealed class PreparedLoadingTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), $"partrobust-load-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    string Fixture(int perSplit = 3) => PreparedFixture.Write(Path.Combine(_root, "ds"), perSplit: perSplit);

    [Fact]
    public void PreparedSplit_ReadsEverySampleAtItsOwnSize()
    {
        var split = new PreparedSplit(Path.Combine(Fixture(), "train"));
        Assert.Equal(6, split.Count);
        Assert.Equal(PreparedFixture.Taxonomy.PartNames, split.Taxonomy.PartNames);
        for (int i = 0; i < split.Count; i++)
        {
            var s = split.Read(i);
            Assert.Equal(split.SizeOf(i), (s.Width, s.Height));
            Assert.Equal(split.LabelOf(i), s.Label);
            var (rgb, mask) = PreparedFixture.Pixels(s.Width, s.Height, s.Label);
            Assert.Equal(mask, s.Mask); // masks are lossless
            if (split.ImagePath(i).EndsWith(".png")) Assert.Equal(rgb, s.Image);
            else Assert.True(rgb.Zip(s.Image).Max(p => Math.Abs(p.First - p.Second)) < 40, "JPEG close to the original");
        }
    }

    [Fact]
    public void PreparedSplit_BadFolders_GiveOneLineErrorsNamingTheFile()
    {
        string train = Path.Combine(Fixture(), "train");
        var split = new PreparedSplit(train);
        string image = split.ImagePath(0);

        File.WriteAllBytes(image, File.ReadAllBytes(image)[..40]); // truncated
        var e = Assert.Throws<InvalidDataException>(() => split.Read(0));
        Assert.Contains(image, e.Message);
        Assert.DoesNotContain('\n', e.Message);

        File.Delete(image);
        e = Assert.Throws<InvalidDataException>(() => new PreparedSplit(train));
        Assert.Contains(Path.GetFileName(image), e.Message);

        File.WriteAllText(Path.Combine(train, "index.csv"), "file,mask,label,class_name,width,height\nimages/x.png,masks/x.png,7,cat,3,3\n");
        e = Assert.Throws<InvalidDataException>(() => new PreparedSplit(train));
        Assert.Contains("label 7 out of range", e.Message);

        File.WriteAllText(Path.Combine(train, "index.csv"), "what,ever\n");
        e = Assert.Throws<InvalidDataException>(() => new PreparedSplit(train));
        Assert.Contains("expected header", e.Message);
    }

    [Fact]
    public void PreparedSplit_MaskOfTheWrongSize_IsAnError()
    {
        var split = new PreparedSplit(Path.Combine(Fixture(), "val"));
        string mask = Path.Combine(split.Directory, File.ReadAllLines(Path.Combine(split.Directory, "index.csv"))[1].Split(',')[1]);
        File.WriteAllBytes(mask, ImageIO.EncodeGrayPng(new byte[6], 3, 2));
        var e = Assert.Throws<InvalidDataException>(() => split.Read(0));
        Assert.Contains("mask is 3x2", e.Message);
    }

    [Fact]
    public void Loader_BatchesDependOnlyOnSeedAndIndex_NotOnThreads()
    {
        var split = new PreparedSplit(Path.Combine(Fixture(), "train"));
        var transform = new TrainTransform(24);
        int[] idx = [5, 0, 3, 1];
        var one = new PartBatchLoader(split, transform, workers: 1).Load(idx, 42);
        var four = new PartBatchLoader(split, transform, workers: 4).Load(idx, 42);
        Assert.Equal(one.Images, four.Images);
        Assert.Equal(one.Masks, four.Masks);
        Assert.Equal(idx.Select(i => (long)split.LabelOf(i)), one.Labels);
        Assert.Equal(24, one.Size);
    }

    [Fact]
    public void Stream_HandsOutBatchesInOrder_AndRethrowsALoadingError()
    {
        var split = new PreparedSplit(Path.Combine(Fixture(), "train"));
        var loader = new PartBatchLoader(split, new EvalTransform(16, 18), workers: 2, prefetch: 1);
        var batches = new List<int[]> { new[] { 0, 1 }, new[] { 2, 3 }, new[] { 4, 5 } };
        using (var stream = loader.Stream(batches, 1, 1))
            foreach (var b in batches)
                Assert.Equal(b.Select(i => (long)split.LabelOf(i)), stream.Next().Labels);

        File.WriteAllBytes(split.ImagePath(3), new byte[] { 1, 2, 3 });
        using var broken = loader.Stream(batches, 1, 1);
        broken.Next();
        var e = Assert.Throws<InvalidDataException>(() => broken.Next());
        Assert.Contains(split.ImagePath(3), e.Message);
    }

    [Fact]
    public void SemiLabels_DropWholeMasksOfTheSamplesNotKept()
    {
        var split = new PreparedSplit(Path.Combine(Fixture(perSplit: 4), "train"));
        var kept = SemiLabels.Kept(split.Count, 0.5);
        var loader = new PartBatchLoader(split, new EvalTransform(16, 18), keepMask: i => kept[i]);
        var batch = loader.Load(Enumerable.Range(0, split.Count).ToArray(), 0);
        int px = 16 * 16;
        for (int i = 0; i < split.Count; i++)
        {
            var m = batch.Masks.AsSpan(i * px, px).ToArray();
            if (kept[i]) Assert.Contains(m, v => v != 255);
            else Assert.All(m, v => Assert.Equal(255, v));
        }
        using var scope = NewDisposeScope();
        var (_, masks, _) = batch.ToTensors(CPU);
        Assert.Equal(kept.Count(k => !k) * px, masks.eq(-1).sum().item<long>());
    }

    [Fact]
    public void Materializer_GivesAPartDatasetInTheRequestedOrder()
    {
        var split = new PreparedSplit(Path.Combine(Fixture(), "test"));
        using var data = SplitMaterializer.Load(split, new EvalTransform(20, 23), [4, 1, 2], 2, NullProgress.Instance, "test");
        Assert.Equal(3, data.Count);
        Assert.Equal(20, data.ImageSize);
        Assert.Equal(new long[] { split.LabelOf(4), split.LabelOf(1), split.LabelOf(2) }, data.Labels.data<long>().ToArray());
        Assert.InRange(data.Images.min().item<float>(), 0f, 1f);
        Assert.InRange(data.Images.max().item<float>(), 0f, 1f);
    }

    [Fact]
    public void StreamingTrainingSet_IsReproducible_ForAnEpochAndDiffersAcrossEpochs()
    {
        var split = new PreparedSplit(Path.Combine(Fixture(), "train"));
        using var scope = NewDisposeScope();
        using var set = new StreamingTrainingSet(split, new TrainTransform(16), 1.0, 3, CPU, workers: 2);
        var order = arange(split.Count, ScalarType.Int64);
        Tensor First(int epoch)
        {
            using var e = set.BeginEpoch(order, 0, 4, epoch);
            return e.Next(null!).Images;
        }
        Assert.True(First(1).eq(First(1)).all().item<bool>());
        Assert.False(First(1).eq(First(2)).all().item<bool>()); // new random crops each epoch
        Assert.Equal(2, Trainer.BatchesPerEpoch(split.Count, 4));
        using var resumed = set.BeginEpoch(order, 1, 4, 1);
        Assert.Equal(2, resumed.Next(null!).Labels.shape[0]); // the second (last) batch: samples 4 and 5
    }
}

public class InMemoryPartSourceTests
{
    [Fact]
    public void PartShapes_ServedAsASampleSource_RoundTripsExactly()
    {
        using var data = new PartShapesGenerator(new PartShapesOptions { ImageSize = 32, Classes = ["Car", "Fish"], Seed = 5 }).Generate(PartShapesSplit.Val, 6);
        var source = new InMemoryPartSource(data);
        Assert.Equal(6, source.Count);
        using var scope = NewDisposeScope();
        var batch = new ByteBatch(6, 32);
        for (int i = 0; i < 6; i++)
        {
            var s = source.Read(i);
            Assert.Equal((32, 32, (int)data.Labels[i].item<long>()), (s.Width, s.Height, s.Label));
            s.Image.CopyTo(batch.Images, i * 3 * 32 * 32);
            s.Mask.CopyTo(batch.Masks, i * 32 * 32);
            batch.Labels[i] = s.Label;
        }
        var (x, m, y) = batch.ToTensors(CPU);
        Assert.True(x.eq(data.Images).all().item<bool>());
        Assert.True(m.eq(data.Masks).all().item<bool>());
        Assert.True(y.eq(data.Labels).all().item<bool>());
    }
}
