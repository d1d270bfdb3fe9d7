namespace PartRobust.Evaluation.Robustness;

/// <summary>Mirror tiling (reflect without repeating the edge): tiles a strip of length n so that neighbours stay neighbours, avoiding seams.</summary>
internal static class MirrorTiling
{
    /// <summary>
    /// The index in [0, n) that offset <paramref name="d"/> ≥ 0 maps to when a strip of length <paramref name="n"/> is
    /// tiled forwards, mirrored, forwards, …: 0,1,…,n−1,n−1,…,1,0,0,1,….
    /// </summary>
    public static int Index(int d, int n)
    {
        int m = d % (2 * n);
        return m < n ? m : 2 * n - 1 - m;
    }
}
