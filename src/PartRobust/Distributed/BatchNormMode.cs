using System.Text.Json.Serialization;

namespace PartRobust.Distributed;

/// <summary>
/// How batch normalisation layers compute their statistics when a model trains on several ranks; written <c>sync</c> /
/// <c>local</c> in config files and flags.
/// </summary>
[JsonConverter(typeof(SnakeCaseEnumConverter<BatchNormMode>))]
public enum BatchNormMode
{
    /// <summary>
    /// Over the global batch (<see cref="SyncBatchNorm"/>): the same statistics, running averages and gradients as one
    /// process training on the whole batch. The default.
    /// </summary>
    Sync,

    /// <summary>
    /// Over each rank's own rows, as PyTorch's DistributedDataParallel does by default; the running averages are rank 0's,
    /// copied to every rank after each step (DDP's <c>broadcast_buffers</c>). Saves a few small Allreduces per layer, but
    /// the result depends on the number of ranks.
    /// </summary>
    Local,
}
