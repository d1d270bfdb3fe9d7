namespace PartRobust.Evaluation.Corruptions;

/// <summary>
/// OpenCV <c>cv2.Canny(gray, low, high)</c> with its defaults (aperture 3, L1 gradient), as in OpenCV's
/// <c>modules/imgproc/src/canny.cpp</c>: 3×3 Sobel dx/dy with <c>BORDER_REPLICATE</c>, magnitude |dx| + |dy| (zero outside
/// the image), non-maximum suppression in four directions using the tan 22.5° fixed-point test (strict on one side,
/// non-strict on the other, as OpenCV), pixels above ⌊high⌋ seed edges and 8-connected pixels above ⌊low⌋ that survived
/// suppression are added by hysteresis. Output 255 on edges, 0 elsewhere.
/// </summary>
internal static class CannyEdges
{
    const int CannyShift = 15;
    const int Tan22 = 13573; // (int)(tan 22.5° · 2^15 + 0.5)

    /// <summary>The edge map of a W×H 8-bit image.</summary>
    public static byte[] Detect(ReadOnlySpan<byte> src, int width, int height, double lowThreshold, double highThreshold)
    {
        if (lowThreshold > highThreshold) (lowThreshold, highThreshold) = (highThreshold, lowThreshold);
        int low = (int)Math.Floor(lowThreshold), high = (int)Math.Floor(highThreshold);
        int n = width * height;
        var dx = new int[n];
        var dy = new int[n];
        var mag = new int[n];
        for (int y = 0; y < height; y++)
        {
            int ym = Math.Max(y - 1, 0) * width, y0 = y * width, yp = Math.Min(y + 1, height - 1) * width;
            for (int x = 0; x < width; x++)
            {
                int xm = Math.Max(x - 1, 0), xp = Math.Min(x + 1, width - 1);
                int gx = (src[ym + xp] - src[ym + xm]) + 2 * (src[y0 + xp] - src[y0 + xm]) + (src[yp + xp] - src[yp + xm]);
                int gy = (src[yp + xm] - src[ym + xm]) + 2 * (src[yp + x] - src[ym + x]) + (src[yp + xp] - src[ym + xp]);
                dx[y0 + x] = gx;
                dy[y0 + x] = gy;
                mag[y0 + x] = Math.Abs(gx) + Math.Abs(gy);
            }
        }
        int Mag(int y, int x) => y < 0 || y >= height || x < 0 || x >= width ? 0 : mag[y * width + x];

        // 0 = may be an edge, 1 = cannot be, 2 = is an edge (OpenCV's map values).
        var map = new byte[n];
        var stack = new Stack<int>();
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int i = y * width + x, m = mag[i];
                bool localMax = false;
                if (m > low)
                {
                    int xs = dx[i], ys = dy[i];
                    long ax = Math.Abs(xs), ay = (long)Math.Abs(ys) << CannyShift;
                    long tg22x = ax * Tan22;
                    if (ay < tg22x) localMax = m > Mag(y, x - 1) && m >= Mag(y, x + 1);
                    else
                    {
                        long tg67x = tg22x + (ax << (CannyShift + 1));
                        if (ay > tg67x) localMax = m > Mag(y - 1, x) && m >= Mag(y + 1, x);
                        else
                        {
                            int s = (xs ^ ys) < 0 ? -1 : 1;
                            localMax = m > Mag(y - 1, x - s) && m > Mag(y + 1, x + s);
                        }
                    }
                }
                if (!localMax) map[i] = 1;
                else if (m > high) { map[i] = 2; stack.Push(i); }
                else map[i] = 0;
            }

        while (stack.Count > 0)
        {
            int i = stack.Pop(), y = i / width, x = i % width;
            for (int ny = y - 1; ny <= y + 1; ny++)
                for (int nx = x - 1; nx <= x + 1; nx++)
                {
                    if (ny < 0 || ny >= height || nx < 0 || nx >= width) continue;
                    int j = ny * width + nx;
                    if (map[j] == 0) { map[j] = 2; stack.Push(j); }
                }
        }

        var edges = new byte[n];
        for (int i = 0; i < n; i++) edges[i] = map[i] == 2 ? (byte)255 : (byte)0;
        return edges;
    }
}
