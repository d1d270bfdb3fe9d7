using PartRobust.Data;
using PartRobust.Data.Loading;
using PartRobust.Data.Transforms;
using PartRobust.Models;
using PartRobust.Reporting;
using PartRobust.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace PartRobust.Tests.Training;

/// <summary>
/// Kill-and-resume equality in-process. The trainer restores torch's global generator when it resumes, so these tests
/// run in the non-parallel collection, where no other test draws from it meanwhile.
/// </summary>
[Collection("console")]
public class ResumeTests
{
    /// <summary>
    /// Throws from <see cref="IProgressTask.Advance"/> after a number of training batches, like a kill in the middle of an
    /// epoch. The validation attack's bar counts points, not batches, and is not counted.
    /// </summary>
    sealed class AbortAfter(int batches) : IProgressSink
    {
        int left = batches;
        public IProgressTask Start(string description, long total) =>
            description.Contains(" validation ") ? NullProgress.Instance.Start(description, total) : new Task(this);
        public void Log(string message) { }

        sealed class Task(AbortAfter owner) : IProgressTask
        {
            public void Advance(long units = 1)
            {
                owner.left -= (int)units;
                if (owner.left < 0) throw new OperationCanceledException("simulated kill");
            }
            public void SetStatus(string status) { }
            public void Dispose() { }
        }
    }

    static PartDataset Data(PartShapesSplit split, int n) =>
        new PartShapesGenerator(new PartShapesOptions { ImageSize = 32, Classes = new[] { "Car", "Fish" }, Seed = 3 }).Generate(split, n);

    static string TempState() => Path.Combine(Path.GetTempPath(), "partrobust-tests", Guid.NewGuid().ToString("N"), "model.state");

    static TrainOptions Options(string advTrain) => new()
    {
        CleanEpochs = 1, AdvEpochs = 2, BatchSize = 8, AttackSteps = 2, ValAttackPoints = 8, AdvTrain = SnakeCaseEnum.Parse<AdversarialRecipe>(advTrain, "--adv-train"),
        WarmupEpochs = 0.5, SemiLabel = 0.5, Seed = 4,
    };

    /// <summary>A part model with fixed initial weights (copied, so no other use of the global generator can change them).</summary>
    static nn.Module<Tensor, Tensor> Model(Dictionary<string, Tensor> init, ModelSpec? spec = null)
    {
        var model = ModelRegistry.Create(spec ?? new ModelSpec("part-downsampled", 2, 8, 32, 4));
        TrainingState.CopyInto(model, init, "test");
        return model;
    }

    static byte[][] Weights(nn.Module model) =>
        model.state_dict().Select(kv => kv.Value.cpu().contiguous().bytes.ToArray()).ToArray();

    static List<EpochRecord> WithoutTimes(IEnumerable<EpochRecord> history) => history.Select(h => h with { Seconds = 0 }).ToList();

    [Fact]
    public void A_streamed_run_from_a_prepared_dataset_resumes_to_bit_identical_weights()
    {
        string dir = Path.Combine(Path.GetTempPath(), "partrobust-tests", Guid.NewGuid().ToString("N"));
        TestSupport.PreparedFixture.Write(Path.Combine(dir, "data"), perSplit: 8);
        var source = new PreparedSplit(Path.Combine(dir, "data", "train")); // 16 images of varying sizes: 2 batches per epoch
        using var val = SplitMaterializer.Load(new PreparedSplit(Path.Combine(dir, "data", "val")),
            new EvalTransform(32, 37), Enumerable.Range(0, 16).ToArray(), 2, NullProgress.Instance, "val");
        var spec = new ModelSpec("part-downsampled", 2, 5, 32, 4);
        Dictionary<string, Tensor> init;
        using (var m = ModelRegistry.Create(spec)) init = TrainingState.CpuCopy(m.state_dict());
        var options = Options("pgd");
        ITrainingSet Streamed() => new StreamingTrainingSet(source, new TrainTransform(32), options.SemiLabel, options.Seed, CPU, workers: 2);

        using var reference = Model(init, spec);
        using (var set = Streamed()) Trainer.Train(reference, set, val, options, NullProgress.Instance, "reference");
        var resume = new ResumeOptions(Path.Combine(dir, "model.state")) { EveryBatches = 1, EverySeconds = 0 };
        using (var killed = Model(init, spec))
        using (var set = Streamed())
            Assert.Throws<OperationCanceledException>(() => { Trainer.Train(killed, set, val, options, new AbortAfter(4), "killed", resume); });
        using var resumed = ModelRegistry.Create(spec);
        using (var set = Streamed()) Trainer.Train(resumed, set, val, options, NullProgress.Instance, "resumed", resume);
        Assert.Equal(Weights(reference), Weights(resumed));
        foreach (var t in init.Values) t.Dispose();
        Directory.Delete(dir, recursive: true);
    }

    [Theory]
    [InlineData("pgd", 0, 7, 4, "adamw")]    // states after epochs only: killed in adversarial epoch 1, resumed after the clean epoch
    [InlineData("trades", 2, 7, 4, "adamw")] // states every 2 batches: resumed in adversarial epoch 1 before batch 3
    [InlineData("trades", 3, 10, 4, "adamw")] // killed in adversarial epoch 2, resumed mid-epoch
    // Width 8: channels-last convolution weights (width 4 keeps NCHW), whose optimizer state must still save and load.
    [InlineData("pgd", 2, 7, 8, "adamw")]
    [InlineData("pgd", 2, 7, 8, "sgd")]
    public void A_run_aborted_mid_epoch_resumes_to_bit_identical_weights_and_history(string advTrain, int everyBatches, int abortAfter, int width, string optimizer)
    {
        var spec = new ModelSpec("part-downsampled", 2, 8, 32, width);
        using var train = Data(PartShapesSplit.Train, 32); // 4 batches per epoch
        using var val = Data(PartShapesSplit.Val, 8);
        Assert.Equal(8, train.Taxonomy.NumSegLabels);
        Dictionary<string, Tensor> init;
        using (var m = ModelRegistry.Create(spec))
        {
            Assert.Equal(width >= ModuleExtensions.MinChannelsLastChannels, m.modules().OfType<TorchSharp.Modules.Conv2d>().All(c => ModuleExtensions.IsChannelsLast(c.weight!)));
            init = TrainingState.CpuCopy(m.state_dict());
        }
        var options = Options(advTrain) with { Optimizer = SnakeCaseEnum.Parse<OptimizerKind>(optimizer, "--optimizer") };

        using var reference = Model(init, spec);
        var expected = Trainer.Train(reference, train, val, options, NullProgress.Instance, "reference");

        string state = TempState();
        var resume = new ResumeOptions(state) { EveryBatches = everyBatches, EverySeconds = 0 };
        using (var killed = Model(init, spec))
            Assert.Throws<OperationCanceledException>(() => Trainer.Train(killed, train, val, options, new AbortAfter(abortAfter), "killed", resume));
        Assert.True(File.Exists(state));
        Assert.False(File.Exists(state + ".tmp"));

        // The resumed model starts from other weights: everything comes from the state.
        using var resumed = ModelRegistry.Create(spec);
        var got = Trainer.Train(resumed, train, val, options, NullProgress.Instance, "resumed", resume);

        Assert.Equal(Weights(reference), Weights(resumed));
        Assert.Equal(WithoutTimes(expected.History), WithoutTimes(got.History));
        Assert.Equal(expected.SelectedEpoch, got.SelectedEpoch);
        Assert.Equal(new[] { "clean", advTrain, advTrain }, got.History.Select(h => h.Stage));

        // A finished state returns the result at once, with the final weights.
        using var again = ModelRegistry.Create(spec);
        var finished = Trainer.Train(again, train, val, options, new AbortAfter(0), "finished", resume);
        Assert.Equal(Weights(reference), Weights(again));
        Assert.Equal(WithoutTimes(expected.History), WithoutTimes(finished.History));
        foreach (var t in init.Values) t.Dispose();
        Directory.Delete(Path.GetDirectoryName(state)!, recursive: true);
    }

    [Fact]
    public void A_state_saved_with_other_options_is_a_config_mismatch()
    {
        using var train = Data(PartShapesSplit.Train, 16);
        using var val = Data(PartShapesSplit.Val, 4);
        string state = TempState();
        var options = Options("pgd") with { AdvEpochs = 0 };
        using (var m = ModelRegistry.Create(new ModelSpec("part-downsampled", 2, 8, 32, 4)))
            Trainer.Train(m, train, val, options, NullProgress.Instance, "a", new ResumeOptions(state));
        using var other = ModelRegistry.Create(new ModelSpec("part-downsampled", 2, 8, 32, 4));
        var e = Assert.Throws<InvalidDataException>(() =>
            Trainer.Train(other, train, val, options with { LearningRate = 0.5 }, NullProgress.Instance, "b", new ResumeOptions(state)));
        Assert.Contains("config mismatch", e.Message);
        File.WriteAllText(state, "garbage");
        Assert.Contains("not a readable training state", Assert.Throws<InvalidDataException>(() =>
            Trainer.Train(other, train, val, options, NullProgress.Instance, "b", new ResumeOptions(state))).Message);
        Directory.Delete(Path.GetDirectoryName(state)!, recursive: true);
    }
}
