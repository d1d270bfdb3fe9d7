using PartRobust.Distributed;
using static TorchSharp.torch;

namespace PartRobust.Training;

/// <summary>
/// The trainer's data parallelism over the ranks of an MPI job (<see cref="World"/>), null for one process so that a
/// single process trains exactly as before. Every rank draws the same global batch from the same generator and trains on
/// its block of rows (<see cref="BatchShard"/>); the training attack draws its random start for the whole batch and keeps
/// the block's rows; the loss of the block is its mean times n_r / B, so the gradients summed by
/// <see cref="GradientAllreduce"/> are the gradient of the global batch's mean loss; batch norm is synchronised
/// (<see cref="SyncBatchNorm"/>, the default) or local (<see cref="BatchNormMode.Local"/>). Every generator then moves as
/// in one process, every rank holds the same weights, optimizer state and generators after every step, and a resume
/// point written by rank 0 is the state of every rank.
/// </summary>
internal sealed class DataParallel : IDisposable
{
    readonly ICommunicator communicator;
    readonly nn.Module model;
    readonly GradientAllreduce gradients;
    readonly SyncBatchNorm? syncBatchNorm;
    readonly bool dropout;

    DataParallel(nn.Module model, BatchNormMode batchNorm, ICommunicator communicator)
    {
        this.model = model;
        this.communicator = communicator;
        BatchNorm = batchNorm;
        dropout = model.modules().Any(m => m.GetType().Name.Contains("Dropout", StringComparison.Ordinal));
        gradients = new GradientAllreduce(model.parameters(), communicator);
        if (batchNorm == BatchNormMode.Sync) syncBatchNorm = SyncBatchNorm.Install(model, communicator);
    }

    /// <summary>Data parallelism over <paramref name="communicator"/>'s ranks, or null for one rank (or a rank training
    /// alone inside <see cref="WorkShare.Alone"/>, e.g. one run of a study's job farm).</summary>
    /// <exception cref="ArgumentException">A batch of the epoch would leave a rank too few rows.</exception>
    public static DataParallel? For(nn.Module model, TrainOptions options, int trainingImages, ICommunicator communicator)
    {
        if (communicator.Size == 1 || WorkShare.IsAlone) return null;
        CheckShards(options, trainingImages, communicator.Size);
        return new DataParallel(model, options.BatchNorm, communicator);
    }

    /// <summary>How batch norm computes its statistics.</summary>
    public BatchNormMode BatchNorm { get; }

    /// <summary>Number of ranks.</summary>
    public int Ranks => communicator.Size;

    /// <summary>The setting in words, for the log.</summary>
    public string Describe(int batchSize) =>
        $"data-parallel on {communicator.Size} ranks, global batch {batchSize} (≈{(double)batchSize / communicator.Size:0.#} images per rank), " +
        (BatchNorm == BatchNormMode.Sync ? "batch norm synchronised over the ranks" : "batch norm local to each rank");

    /// <summary>This rank's rows of a global batch of <paramref name="rows"/>.</summary>
    public BatchShard Shard(long rows) => BatchShard.Of(rows, communicator.Rank, communicator.Size);

    /// <summary>
    /// The epoch's batches as this rank's rows: made alone when the set can (a streamed dataset decodes only them), else
    /// cut from the whole batch, which every rank draws alike (the in-memory set's flips are drawn for the whole batch).
    /// </summary>
    public ITrainingEpoch BeginEpoch(ITrainingSet set, Tensor order, int firstBatch, int batchSize, int epoch) =>
        set.BeginEpoch(order, firstBatch, batchSize, epoch, n => Shard(n)) ?? new RowsOfWholeBatches(set.BeginEpoch(order, firstBatch, batchSize, epoch), this);

    sealed class RowsOfWholeBatches(ITrainingEpoch whole, DataParallel parallel) : ITrainingEpoch
    {
        public (Tensor Images, Tensor Masks, Tensor Labels) Next(Generator generator)
        {
            var (x, masks, y) = whole.Next(generator);
            var block = parallel.Shard(y.shape[0]);
            return (block.Rows(x), block.Rows(masks), block.Rows(y));
        }

        public void Dispose() => whole.Dispose();
    }

    /// <summary>Rank 0's weights and buffers on every rank: at the start of a stage, whether trained from scratch or resumed.</summary>
    public void Synchronise() => TensorBroadcast.FromRoot(model.state_dict().Values, communicator);

    /// <summary>
    /// For a model with dropout, this rank's own dropout masks until disposed (<see cref="RankDropoutStream"/>); null
    /// otherwise (nothing else in a step draws from torch's global generator).
    /// </summary>
    public IDisposable? OwnDropoutMasks() => dropout ? RankDropoutStream.Enter(communicator) : null;

    /// <summary>After <c>backward</c>: every gradient summed over the ranks.</summary>
    public void SumGradients() => gradients.Sum();

    /// <summary>After the optimizer step: with local batch norm, rank 0's running statistics on every rank.</summary>
    public void AfterStep()
    {
        if (BatchNorm == BatchNormMode.Local) TensorBroadcast.FromRoot(model.buffers(), communicator);
    }

    /// <summary>Sums per-step counters (loss sum, correct predictions) over the ranks.</summary>
    public void Sum(Span<double> values) => communicator.AllreduceSum(values);

    /// <summary>Throws when a rank's weights or buffers differ from rank 0's (a bug: every step leaves them identical).</summary>
    public void CheckReplicas(string label, int epoch)
    {
        var differing = ReplicaCheck.RanksDifferingFromRoot(model.state_dict().Values, communicator);
        if (differing.Count > 0)
            throw new InvalidOperationException($"{label}: after epoch {epoch} the weights of rank(s) {string.Join(", ", differing)} differ from rank 0's; data-parallel training lost sync");
    }

    /// <summary>
    /// Every batch of an epoch (full batches and a last one of at least 2 images) must give each rank a row, two with
    /// local batch norm (a rank normalises over its own rows then).
    /// </summary>
    static void CheckShards(TrainOptions options, int trainingImages, int ranks)
    {
        int need = options.BatchNorm == BatchNormMode.Local ? 2 : 1;
        int batch = Math.Min(options.BatchSize, trainingImages), last = trainingImages % options.BatchSize;
        int smallest = last >= 2 && last < batch ? last : batch;
        if (BatchShard.SmallestOf(smallest, ranks) >= need) return;
        string which = smallest == batch ? $"a batch of {batch} images" : $"the last batch of each epoch ({last} of {trainingImages} training images)";
        throw new ArgumentException($"{which} cannot give each of {ranks} ranks {(need == 1 ? "an image" : $"{need} images")}" +
                                    (need == 2 ? " (--batch-norm local)" : "") + "; change --batch-size or the number of ranks");
    }

    public void Dispose()
    {
        syncBatchNorm?.Dispose();
        gradients.Dispose();
    }
}
