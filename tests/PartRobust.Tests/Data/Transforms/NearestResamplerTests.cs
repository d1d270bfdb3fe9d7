using PartRobust.Data.Transforms;
using Xunit;

namespace PartRobust.Tests.Data.Transforms;

/// <summary>
/// Pillow's NEAREST resize (libImaging/Geometry.c, ImagingScaleAffine): position starts at s/2 (s = in/out) and
/// grows by s per output pixel in double precision; the input index is its integer part.
/// </summary>
public sealed class NearestResamplerTests
{
    [Fact]
    public void Five_to_three_and_three_to_seven()
    {
        // 5 → 3: s = 5/3, positions 0.833, 2.5, 4.167 → 0, 2, 4.
        Assert.Equal([0, 2, 4], NearestResampler.SourceIndices(5, 3));
        // 3 → 7: s = 3/7, positions 0.214, 0.643, 1.071, 1.5, 1.929, 2.357, 2.786 → 0,0,1,1,1,2,2.
        Assert.Equal([0, 0, 1, 1, 1, 2, 2], NearestResampler.SourceIndices(3, 7));
    }

    [Fact]
    public void Follows_pillows_accumulated_sum_not_the_closed_form()
    {
        // 2 → 7: s = 2/7. Exactly, output 3 sits at (3 + 0.5)·2/7 = 1.0 (closed form: input 1), but Pillow's running
        // sum 1/7 + 3·(2/7) in doubles is 0.9999999999999999, so Pillow reads input 0 (Pillow 9.4.0 gives exactly these indices).
        Assert.Equal([0, 0, 0, 0, 1, 1, 1], NearestResampler.SourceIndices(2, 7));
    }

    [Fact]
    public void Masks_copy_labels_and_ignore_without_blending()
    {
        // 3×1 mask [1, 255, 2] → 7×2: columns 0,0,1,1,1,2,2 (see above); rows 1 → 2 read row 0 twice.
        byte[] src = [1, 255, 2];
        var dst = new byte[14];
        NearestResampler.ResizeMask(src, 3, 1, PixelRect.Full(3, 1), 7, 2, PixelRect.Full(7, 2), dst);
        Assert.Equal(new byte[] { 1, 1, 255, 255, 255, 2, 2, 1, 1, 255, 255, 255, 2, 2 }, dst);
    }

    [Fact]
    public void Crop_window_and_output_window_index_the_source_correctly()
    {
        // 6×4 source, value = 10·y + x. Crop (1,1,5,3) → 3×3: columns 5 → 3 read crop cols 0,2,4 → source 1,3,5;
        // rows 3 → 3 read crop rows 0,1,2 → source 1,2,3. Output window (1,1,2,2) keeps columns 3,5 and rows 2,3.
        var src = new byte[24];
        for (int y = 0; y < 4; y++) for (int x = 0; x < 6; x++) src[y * 6 + x] = (byte)(10 * y + x);
        var dst = new byte[4];
        NearestResampler.ResizeMask(src, 6, 4, new PixelRect(1, 1, 5, 3), 3, 3, new PixelRect(1, 1, 2, 2), dst);
        Assert.Equal(new byte[] { 23, 25, 33, 35 }, dst);
    }
}
