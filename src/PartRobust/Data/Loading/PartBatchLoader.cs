using System.Threading.Channels;
using PartRobust.Data.Transforms;

namespace PartRobust.Data.Loading;

/// <summary>
/// Decodes and transforms samples of an <see cref="IPartSampleSource"/> into <see cref="ByteBatch"/>es on worker threads,
/// keeping up to <see cref="Prefetch"/> batches ready ahead of the consumer so that training never waits on JPEG decoding.
/// Only managed code runs on the workers (Skia decode, the transforms); tensors are made by the consumer. Each sample's
/// random transform is seeded by (run seed, epoch, sample index), so a batch is the same whatever the thread scheduling and
/// after a resume.
/// </summary>
public sealed class PartBatchLoader
{
    readonly IPartSampleSource _source;
    readonly IJointTransform _transform;
    readonly Func<int, bool>? _keepMask;

    /// <summary>Decode threads per batch.</summary>
    public int Workers { get; }

    /// <summary>Batches prepared ahead of the consumer.</summary>
    public int Prefetch { get; }

    /// <summary>A loader of <paramref name="source"/> through <paramref name="transform"/>.</summary>
    /// <param name="source">The samples.</param>
    /// <param name="transform">Joint image+mask transform giving S×S.</param>
    /// <param name="workers">Decode threads (≥ 1).</param>
    /// <param name="prefetch">Batches kept ready (≥ 1).</param>
    /// <param name="keepMask">For semi-supervised part labels: whether sample i keeps its mask (others become all −1); null = all keep.</param>
    public PartBatchLoader(IPartSampleSource source, IJointTransform transform, int workers = 0, int prefetch = 3, Func<int, bool>? keepMask = null)
    {
        _source = source;
        _transform = transform;
        _keepMask = keepMask;
        Workers = workers > 0 ? workers : Environment.ProcessorCount;
        Prefetch = Math.Max(1, prefetch);
    }

    /// <summary>
    /// Loads one batch of the samples at <paramref name="indices"/> (on up to <see cref="Workers"/> threads); sample i's
    /// random transform is seeded by <see cref="TransformSeed.For"/>(<paramref name="seed"/>, <paramref name="epoch"/>, i).
    /// </summary>
    public ByteBatch Load(IReadOnlyList<int> indices, ulong seed, int epoch = 0)
    {
        int s = _transform.Size, px = s * s;
        var batch = new ByteBatch(indices.Count, s);
        var options = new ParallelOptions { MaxDegreeOfParallelism = Workers };
        try
        {
            Parallel.For(0, indices.Count, options, j =>
            {
                int i = indices[j];
                var raw = _source.Read(i);
                var maskOut = batch.Masks.AsSpan(j * px, px);
                _transform.ApplyInto(raw.Image, raw.Width, raw.Height, raw.Mask, TransformSeed.For(seed, epoch, i),
                    batch.Images.AsSpan(j * 3 * px, 3 * px), maskOut);
                if (_keepMask is not null && !_keepMask(i)) maskOut.Fill(PartDatasetBytes.Ignore);
                batch.Labels[j] = raw.Label;
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        return batch;
    }

    /// <summary>Starts producing <paramref name="batches"/> in order in the background; read them with <see cref="BatchStream.Next"/>.</summary>
    public BatchStream Stream(IReadOnlyList<int[]> batches, ulong seed, int epoch) => new(this, batches, seed, epoch);

    /// <summary>Batches produced ahead by a background task, handed out in order.</summary>
    public sealed class BatchStream : IDisposable
    {
        readonly Channel<ByteBatch> _channel;
        readonly CancellationTokenSource _cancel = new();
        readonly Task _producer;

        internal BatchStream(PartBatchLoader loader, IReadOnlyList<int[]> batches, ulong seed, int epoch)
        {
            _channel = Channel.CreateBounded<ByteBatch>(new BoundedChannelOptions(loader.Prefetch) { SingleReader = true, SingleWriter = true });
            var token = _cancel.Token;
            _producer = Task.Run(async () =>
            {
                try
                {
                    foreach (var b in batches)
                    {
                        token.ThrowIfCancellationRequested();
                        await _channel.Writer.WriteAsync(loader.Load(b, seed, epoch), token).ConfigureAwait(false);
                    }
                    _channel.Writer.TryComplete();
                }
                catch (Exception e) { _channel.Writer.TryComplete(e); }
            });
        }

        /// <summary>The next batch (waits if it is not decoded yet); rethrows a loading error as it was thrown.</summary>
        public ByteBatch Next()
        {
            try
            {
                if (_channel.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult() && _channel.Reader.TryRead(out var batch)) return batch;
            }
            catch (ChannelClosedException e) when (e.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            }
            throw new InvalidOperationException("no more batches in this epoch");
        }

        /// <summary>Stops the producer and waits for it.</summary>
        public void Dispose()
        {
            _cancel.Cancel();
            try { _producer.Wait(); } catch (AggregateException) { }
            _cancel.Dispose();
        }
    }
}
