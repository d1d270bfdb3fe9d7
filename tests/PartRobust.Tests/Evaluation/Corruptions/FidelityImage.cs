namespace PartRobust.Tests.Evaluation.Corruptions;

/// <summary>
/// The structured image the corruption fidelity is measured on (docs/corruption-fidelity.md): gradients, a disc, diagonal
/// stripes and a checkerboard, defined in integers so that bench/corruption-fidelity/reference_mean_change.py builds the
/// same 8-bit pixels for the reference library.
/// </summary>
static class FidelityImage
{
    /// <summary>Planar RGB [3,S,S] in [0,1], each value a byte / 255.</summary>
    public static float[] Make(int size)
    {
        int px = size * size;
        var img = new float[3 * px];
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                bool disc = (x - 40) * (x - 40) + (y - 24) * (y - 24) < 196;
                int stripe = (x + 2 * y) / 6 % 2, check = (x / 8 + y / 8) % 2;
                int r = 40 + 2 * x + (disc ? 80 : 50 * stripe);
                int g = 200 - 2 * y - (check == 1 ? 0 : 40);
                int b = disc ? 220 : 60 + x + y + 30 * (x / 4 % 2);
                int i = y * size + x;
                img[i] = Math.Min(r, 255) / 255f;
                img[px + i] = Math.Max(g, 0) / 255f;
                img[2 * px + i] = Math.Min(b, 255) / 255f;
            }
        return img;
    }

    /// <summary>mean |a − b| on the 0–255 scale.</summary>
    public static double MeanChange(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += Math.Abs((double)a[i] - b[i]);
        return 255 * sum / a.Length;
    }
}
