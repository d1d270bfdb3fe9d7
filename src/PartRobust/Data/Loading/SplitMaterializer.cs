using PartRobust.Data.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace PartRobust.Data.Loading;

/// <summary>
/// Loads an evaluation split through its deterministic transform (Resize + CenterCrop) into an in-memory
/// <see cref="PartDataset"/>, which the evaluator, the attacks and the figures work on.
/// </summary>
public static class SplitMaterializer
{
    /// <summary>
    /// The samples of <paramref name="source"/> at <paramref name="indices"/>, in that order, through <paramref name="transform"/>.
    /// Decoding runs on <paramref name="workers"/> threads in chunks of 64 images, so peak memory is the result plus one chunk.
    /// </summary>
    public static PartDataset Load(IPartSampleSource source, IJointTransform transform, IReadOnlyList<int> indices, int workers,
        IProgressSink progress, string description)
    {
        const int chunk = 64;
        var loader = new PartBatchLoader(source, transform, workers);
        int n = indices.Count, s = transform.Size;
        var images = torch.empty(new long[] { n, 3, s, s }, ScalarType.Float32);
        var masks = torch.empty(new long[] { n, s, s }, ScalarType.Int64);
        var labels = torch.empty(new long[] { n }, ScalarType.Int64);
        try
        {
            using var task = progress.Start(description, n);
            for (int start = 0; start < n; start += chunk)
            {
                using var scope = NewDisposeScope();
                int count = Math.Min(chunk, n - start);
                var batch = loader.Load(indices.Skip(start).Take(count).ToArray(), 0);
                var (x, m, y) = batch.ToTensors(CPU);
                images.narrow(0, start, count).copy_(x);
                masks.narrow(0, start, count).copy_(m);
                labels.narrow(0, start, count).copy_(y);
                task.Advance(count);
            }
            return new PartDataset(images, masks, labels, source.Taxonomy);
        }
        catch
        {
            images.Dispose(); masks.Dispose(); labels.Dispose();
            throw;
        }
    }
}
