using PartRobust.Models;

using static TorchSharp.torch;

namespace PartRobust.Training;

/// <summary>
/// Partial part labels (<c>--semi-label f</c>): the part masks of a fixed fraction f of the training images are kept and
/// the rest are set to −1, so those images add only the class term to the loss. Which images keep their masks is decided
/// by a permutation with its own fixed seed (<see cref="PermutationSeed"/>, as the paper's seed-0 permutation), not by the
/// training seed: runs with different training seeds see the same labelled images.
/// </summary>
public static class SemiLabels
{
    /// <summary>Seed of the permutation that picks the labelled images.</summary>
    public const long PermutationSeed = 0;

    /// <summary>Number of images that keep their masks: round(f·N), halves rounded up.</summary>
    public static int KeptCount(int count, double fraction) =>
        (int)Math.Round(fraction * count, MidpointRounding.AwayFromZero);

    /// <summary>Whether each of <paramref name="count"/> images keeps its mask: the first round(f·N) of a seeded permutation.</summary>
    public static bool[] Kept(int count, double fraction)
    {
        if (!(fraction >= 0 && fraction <= 1)) throw new ArgumentOutOfRangeException(nameof(fraction), "--semi-label must be in [0,1]");
        var kept = new bool[count];
        int keep = KeptCount(count, fraction);
        if (keep == count) { Array.Fill(kept, true); return kept; }
        using var scope = NewDisposeScope();
        using var g = new Generator((ulong)PermutationSeed);
        var order = randperm(count, generator: g).data<long>().ToArray();
        for (int i = 0; i < keep; i++) kept[order[i]] = true;
        return kept;
    }

    /// <summary>
    /// <paramref name="masks"/> [N,H,W] with the masks of the images not kept set to −1 (a new tensor), or
    /// <paramref name="masks"/> itself when f = 1.
    /// </summary>
    public static Tensor Apply(Tensor masks, double fraction)
    {
        int n = (int)masks.shape[0];
        var kept = Kept(n, fraction);
        if (kept.All(k => k)) return masks;
        using var scope = NewDisposeScope();
        var dropped = Enumerable.Range(0, n).Where(i => !kept[i]).Select(i => (long)i).ToArray();
        var result = masks.clone();
        result.index_fill_(0, tensor(dropped, device: masks.device), PartLoss.IgnoreLabel);
        return result.MoveToOuterDisposeScope();
    }
}
