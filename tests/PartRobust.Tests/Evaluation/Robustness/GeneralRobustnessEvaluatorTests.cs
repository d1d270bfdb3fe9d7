using PartRobust.Data;
using PartRobust.Evaluation.Corruptions;
using PartRobust.Evaluation.Robustness;
using PartRobust.Tests.TestSupport;
using Xunit;
using static TorchSharp.torch;

namespace PartRobust.Tests.Evaluation.Robustness;

public sealed class GeneralRobustnessEvaluatorTests
{
    static readonly GeneralRobustnessOptions Small = new()
    {
        Corruptions = ["gaussian_noise", "contrast", "saturate"], Severities = [1, 5], Seed = 3, BatchSize = 7,
    };

    [Fact]
    public void A_constant_model_scores_the_share_of_its_class_on_every_set()
    {
        long[] labels = [0, 1, 2, 3, 0, 1, 0, 2, 3, 0];
        using var data = RobustnessFixtures.Make(labels);
        using var model = new ConstantClassifier(4, 0);
        var run = GeneralRobustnessEvaluator.Run([model], data, Small, NullProgress.Instance);
        var r = Assert.Single(run.Results);
        double share = labels.Count(l => l == 0) / (double)labels.Length;
        Assert.Equal(share, r.CleanAccuracy);
        Assert.Equal(["gaussian_noise", "contrast", "saturate"], r.Corruptions.Keys);
        Assert.All(r.Corruptions.Values, d => { Assert.Equal([1, 5], d.Keys.Order()); Assert.All(d.Values, a => Assert.Equal(share, a)); });
        // The mean leaves the extra (saturate) out, as ImageNet-C does.
        Assert.Equal(share, r.CorruptionAccuracy);
        Assert.Equal(GeneralRobustnessEvaluator.VariantNames.Values, r.Background.Keys);
        Assert.All(r.Background.Values, a => Assert.Equal(share, a));
        Assert.Equal(0, r.BgGap);
        // Cue conflict: every image with a foreground gets a texture from another class, so a class-0 image is a shape
        // hit and an image with a class-0 texture donor a texture hit.
        var cue = CueConflict.Build(data, 3);
        var expectedShape = Enumerable.Range(0, labels.Length).Count(i => labels[i] == 0 && cue.TextureLabels[i] != 0);
        var expectedTexture = Enumerable.Range(0, labels.Length).Count(i => cue.TextureLabels[i] == 0 && labels[i] != 0);
        cue.Dispose();
        Assert.Equal(expectedShape, r.CueConflict!.ShapeHits);
        Assert.Equal(expectedTexture, r.CueConflict.TextureHits);
        Assert.Equal(CorruptionTable.Cifar10, run.Table); // 8 px images: the CIFAR table by default
    }

    [Fact]
    public void Contrast_moves_a_brightness_threshold_model_the_known_way()
    {
        // Half the images bright (mean 0.7, label 1), half dark (mean 0.3, label 0). Contrast pulls every pixel to the image's
        // own mean, so the mean and the prediction stay; brightness (+0.5 in V at severity 5) makes dark images bright.
        int n = 8, s = 8, plane = s * s;
        var images = new float[n * 3 * plane];
        var labels = new long[n];
        var rng = new Random(1);
        for (int i = 0; i < n; i++)
        {
            labels[i] = i % 2;
            float mean = i % 2 == 1 ? 0.7f : 0.3f;
            for (int k = 0; k < 3 * plane; k++) images[i * 3 * plane + k] = mean + (float)(rng.NextDouble() - 0.5) * 0.1f;
        }
        var taxonomy = new PartTaxonomy(["dark", "bright"], ["background", "p"], [-1, 0]);
        using var data = new PartDataset(tensor(images, new long[] { n, 3, s, s }), zeros(n, s, s, dtype: ScalarType.Int64), tensor(labels), taxonomy);
        using var model = new MeanThresholdClassifier(2, 0.5);
        var run = GeneralRobustnessEvaluator.Run([model], data, new GeneralRobustnessOptions
        {
            Suites = RobustnessSuite.Corruptions, Corruptions = ["contrast", "brightness"], Severities = [5], Table = CorruptionTable.ImageNet,
        }, NullProgress.Instance);
        var r = run.Results[0];
        Assert.Equal(1.0, r.CleanAccuracy);
        Assert.Equal(1.0, r.Corruptions["contrast"][5]);
        Assert.Equal(0.5, r.Corruptions["brightness"][5]);
        Assert.Null(r.CueConflict);
        Assert.Empty(r.Background);
        Assert.Null(run.CueConflictMethod);
    }

    [Fact]
    public void Results_are_deterministic_and_the_same_for_each_model_whether_run_alone_or_together()
    {
        using var data = RobustnessFixtures.Make([0, 1, 2, 3, 1, 2, 3, 0, 2, 1, 0, 3]);
        manual_seed(5);
        using var a = new TinyConvClassifier(4);
        using var b = new TinyConvClassifier(4);
        var together = GeneralRobustnessEvaluator.Run([a, b], data, Small, NullProgress.Instance);
        var again = GeneralRobustnessEvaluator.Run([a, b], data, Small, NullProgress.Instance);
        var alone = GeneralRobustnessEvaluator.Run([b], data, Small with { BatchSize = 5 }, NullProgress.Instance);
        for (int m = 0; m < 2; m++)
        {
            Assert.Equal(Flatten(together.Results[m]), Flatten(again.Results[m]));
        }
        Assert.Equal(Flatten(together.Results[1]), Flatten(alone.Results[0]));
        // Corrupting and scoring in chunks of 5 (of 12 images) gives the numbers of one chunk.
        var chunked = GeneralRobustnessEvaluator.Run([a, b], data, Small with { ChunkImages = 5 }, NullProgress.Instance);
        for (int m = 0; m < 2; m++) Assert.Equal(Flatten(together.Results[m]), Flatten(chunked.Results[m]));
    }

    static List<double> Flatten(GeneralRobustnessResult r) =>
        [r.CleanAccuracy, .. r.Corruptions.SelectMany(kv => kv.Value.OrderBy(s => s.Key).Select(s => s.Value)), .. r.Background.Values,
         r.CueConflict?.ShapeHits ?? -1, r.CueConflict?.TextureHits ?? -1];

    [Fact]
    public void Images_caps_the_test_set_and_every_set_uses_the_same_images()
    {
        long[] labels = [0, 0, 0, 0, 1, 1, 1, 1, 1, 1];
        using var data = RobustnessFixtures.Make(labels);
        using var model = new ConstantClassifier(4, 0);
        var run = GeneralRobustnessEvaluator.Run([model], data, Small with { Images = 4 }, NullProgress.Instance);
        Assert.Equal(4, run.Images);
        Assert.Equal(1.0, run.Results[0].CleanAccuracy);
        Assert.All(run.Results[0].Corruptions.Values.SelectMany(d => d.Values), a => Assert.Equal(1.0, a));
    }

    [Fact]
    public void Corrupted_images_do_not_depend_on_the_rest_of_the_dataset()
    {
        using var data = RobustnessFixtures.Make([0, 1, 2, 3]);
        using var head = data.Take(2);
        var noise = CorruptionRegistry.Get("gaussian_noise");
        using var all = CorruptedDataset.Build(data, noise, 3, 9, CorruptionTable.ImageNet);
        using var first = CorruptedDataset.Build(head, noise, 3, 9, CorruptionTable.ImageNet);
        var x = RobustnessFixtures.Images(all);
        var y = RobustnessFixtures.Images(first);
        Assert.Equal(y, x.Take(y.Length));
        Assert.NotEqual(RobustnessFixtures.Images(head), y);
        Assert.Equal(RobustnessFixtures.Masks(head), RobustnessFixtures.Masks(first));
        Assert.Equal(RobustnessFixtures.Labels(head), RobustnessFixtures.Labels(first));
        Assert.NotEqual(CorruptedDataset.ImageSeed(9, "gaussian_noise", 3, 0), CorruptedDataset.ImageSeed(9, "shot_noise", 3, 0));
        // A chunk (rows 2–3) made from the pixel copy equals those rows of the whole set, masks and labels included.
        using var chunk = CorruptedDataset.Build(new DatasetPixels(data), data, 2, 2, noise, 3, 9, CorruptionTable.ImageNet);
        Assert.Equal(x.Skip(x.Length / 2), RobustnessFixtures.Images(chunk));
        Assert.Equal(RobustnessFixtures.Masks(data).Skip(2 * 8 * 8), RobustnessFixtures.Masks(chunk));
        Assert.Equal([2L, 3L], RobustnessFixtures.Labels(chunk));
    }

    [Fact]
    public void PartShapes_uses_its_generator_for_cue_conflict_and_adds_its_own_background_variants()
    {
        var generator = new PartShapesGenerator(new PartShapesOptions { ImageSize = 32, Classes = ["Car", "Fish", "Snake"], Seed = 2 });
        using var test = generator.Generate(PartShapesSplit.Test, 12);
        using var model = new ConstantClassifier(3, 1);
        var run = GeneralRobustnessEvaluator.Run([model], test, Small with { Suites = RobustnessSuite.Texture | RobustnessSuite.Background },
            NullProgress.Instance, generator: generator);
        var r = run.Results[0];
        // Every generated cue-conflict image wears another class's texture: all 12 are conflict images.
        Assert.Equal(12, r.CueConflict!.ConflictImages);
        Assert.Equal(4, r.CueConflict.ShapeHits); // class 1 is a third of the cycling labels
        Assert.Equal(GeneralRobustnessEvaluator.GeneratorCueConflictMethod, run.CueConflictMethod);
        Assert.Equal(GeneralRobustnessEvaluator.VariantNames.Values.Concat(GeneralRobustnessEvaluator.GeneratorVariantNames.Values), r.Background.Keys);
        Assert.All(r.Background.Values, a => Assert.Equal(4 / 12.0, a));
        Assert.Empty(r.Corruptions);
        Assert.Null(r.CorruptionAccuracy);
    }

    [Fact]
    public void Bad_options_name_the_flag()
    {
        using var data = RobustnessFixtures.Make([0, 1]);
        using var model = new ConstantClassifier(4, 0);
        void Bad(GeneralRobustnessOptions o, string text) =>
            Assert.Contains(text, Assert.ThrowsAny<ArgumentException>(() => GeneralRobustnessEvaluator.Run([model], data, o, NullProgress.Instance)).Message);
        Bad(Small with { Severities = [0, 1] }, "--severities");
        Bad(Small with { Images = -1 }, "--images");
        Bad(Small with { Corruptions = ["rain"] }, "rain");
        Bad(Small with { Suites = RobustnessSuite.None }, "--suite");
    }
}
