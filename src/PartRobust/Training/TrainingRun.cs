using System.Diagnostics;
using PartRobust.Data;
using PartRobust.Distributed;
using static TorchSharp.torch;

namespace PartRobust.Training;

/// <summary>
/// One call of <see cref="Trainer"/> as its stages see it: the model and the data, the generator that shuffles and
/// augments, and what carries over from stage to stage (the epoch counter, the history, the selected epoch, the
/// adversarial throughput and the clocks). A resume point saves the counters and <see cref="ResumePoint.RestoreRun"/>
/// puts them back.
/// </summary>
internal sealed class TrainingRun : IDisposable
{
    readonly Stopwatch session;

    /// <summary>The <paramref name="session"/> clock started when the call began (loading the resume state counts).</summary>
    public TrainingRun(nn.Module<Tensor, Tensor> model, ITrainingSet trainingSet, PartDataset validationSet, TrainOptions options,
        IProgressSink progress, string label, ResumeOptions? resume, Stopwatch session)
    {
        Model = model;
        TrainingSet = trainingSet;
        ValidationSet = validationSet;
        Options = options;
        Progress = progress;
        Label = label;
        Resume = resume;
        this.session = session;
        Generator = new Generator((ulong)options.Seed, trainingSet.Device);
        ValAttackSet = validationSet.Take(options.ValAttackPoints);
        Parallel = DataParallel.For(model, options, trainingSet.Count, World.Current);
    }

    public nn.Module<Tensor, Tensor> Model { get; }
    public ITrainingSet TrainingSet { get; }
    public PartDataset ValidationSet { get; }
    public TrainOptions Options { get; }
    public IProgressSink Progress { get; }
    public string Label { get; }

    /// <summary>Where resume points are written; null = none.</summary>
    public ResumeOptions? Resume { get; }

    /// <summary>Told of each recorded epoch; null = none.</summary>
    public IEpochObserver? Observer { get; init; }

    /// <summary>Draws the epochs' shuffled orders and the batches' augmentation.</summary>
    public Generator Generator { get; }

    /// <summary>Data parallelism over the ranks of the MPI job; null for one process.</summary>
    public DataParallel? Parallel { get; }

    /// <summary>The validation points attacked in the adversarial stage for model selection.</summary>
    public PartDataset ValAttackSet { get; }

    public List<EpochRecord> History { get; set; } = new();

    /// <summary>Epochs started, counted over both stages from 1.</summary>
    public int Epoch { get; set; }

    /// <summary>The epoch whose weights the last finished stage kept.</summary>
    public int Selected { get; set; }

    /// <summary>Images trained on in the adversarial stage, and the seconds their epochs took (throughput).</summary>
    public double AdvImages { get; set; }

    /// <inheritdoc cref="AdvImages"/>
    public double AdvSeconds { get; set; }

    /// <summary>Seconds trained before this call (a resumed run).</summary>
    public double PriorSeconds { get; set; }

    /// <summary>Time since the last resume point (for <see cref="ResumeOptions.EverySeconds"/>).</summary>
    public Stopwatch SinceSave { get; } = Stopwatch.StartNew();

    /// <summary>Seconds of training so far, over every call.</summary>
    public double ElapsedSeconds => PriorSeconds + session.Elapsed.TotalSeconds;

    public void Dispose()
    {
        Parallel?.Dispose();
        ValAttackSet.Dispose();
        Generator.Dispose();
    }
}
