using PartRobust.Data;

namespace PartRobust.Evaluation.Robustness;

/// <summary>
/// Seeded donor choice for the background and cue-conflict builders: for each image, another eligible image drawn
/// uniformly either from its own class or from all other classes. The draw for image i depends only on
/// (seed, stream, i), so it does not change with processing order. O(N) after one grouping pass.
/// </summary>
internal static class DonorSampler
{
    /// <summary>
    /// For each image i, a donor j ≠ i with <paramref name="eligible"/>[j] and (labels[j] == labels[i]) ==
    /// <paramref name="sameClass"/>, uniform over such j; −1 when none exists (the caller falls back).
    /// </summary>
    public static int[] Choose(long[] labels, bool[] eligible, bool sameClass, ulong seed, ulong stream)
    {
        int n = labels.Length;
        // Eligible indices grouped by class into contiguous blocks (ascending index inside a block).
        var classes = labels.Distinct().OrderBy(c => c).ToArray();
        var start = new Dictionary<long, int>();
        var length = new Dictionary<long, int>();
        var order = new List<int>(n);
        foreach (long c in classes)
        {
            start[c] = order.Count;
            for (int j = 0; j < n; j++)
                if (labels[j] == c && eligible[j]) order.Add(j);
            length[c] = order.Count - start[c];
        }
        var position = new int[n];
        for (int q = 0; q < order.Count; q++) position[order[q]] = q;
        var donors = new int[n];
        for (int i = 0; i < n; i++)
        {
            long c = labels[i];
            var rng = new PartShapesRandom(PartShapesRandom.Mix(seed, stream, (ulong)i));
            if (sameClass)
            {
                int s = start[c], len = length[c];
                int self = eligible[i] ? position[i] - s : -1;
                int k = len - (self >= 0 ? 1 : 0);
                if (k == 0) { donors[i] = -1; continue; }
                int r = rng.Next(k);
                if (self >= 0 && r >= self) r++;
                donors[i] = order[s + r];
            }
            else
            {
                int k = order.Count - length[c];
                if (k == 0) { donors[i] = -1; continue; }
                int r = rng.Next(k);
                if (r >= start[c]) r += length[c];
                donors[i] = order[r];
            }
        }
        return donors;
    }
}
