using PartRobust.Data.Transforms;
using Xunit;

namespace PartRobust.Tests.Data.Transforms;

/// <summary>
/// Expected values worked out by hand from Pillow's definition (libImaging/Resample.c): output o has centre
/// c = (o + 0.5)·s with s = in/out; support r = max(s, 1); taps i = (int)(c - r + 0.5) .. (int)(c + r + 0.5) - 1 clamped
/// to the image; weight of tap i = tri((i + 0.5 - c)/max(s, 1)) with tri(x) = max(0, 1 - |x|), normalised to sum 1;
/// result = floor(Σ w·v + 0.5) (22-bit fixed point), horizontal pass first into 8-bit rows, then vertical.
/// (The upscale case was also checked against Pillow 9.4.0's Image.resize, which gives the same bytes.)
/// </summary>
public sealed class BilinearResamplerTests
{
    static byte[] Planar(int w, int h, Func<int, int, int, int> value)
    {
        var p = new byte[3 * w * h];
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) p[(c * h + y) * w + x] = (byte)value(c, x, y);
        return p;
    }

    static byte[] Resize(byte[] src, int w, int h, int ow, int oh)
    {
        var dst = new byte[3 * ow * oh];
        BilinearResampler.ResizeRgb(src, w, h, PixelRect.Full(w, h), ow, oh, PixelRect.Full(ow, oh), dst);
        return dst;
    }

    [Fact]
    public void Downscale_by_two_uses_the_widened_triangle_and_rounds_half_up()
    {
        // 4 → 2, s = 2, r = 2. o = 0: c = 1, taps 0..2 (xmin = (int)(-0.5) = 0, xmax = (int)3.5 = 3),
        // tri((i + 0.5 - 1)/2) = 0.75, 0.75, 0.25 → /1.75 = 3/7, 3/7, 1/7.
        // o = 1: c = 3, taps 1..3 (xmax (int)5.5 = 5 clamped to 4): 0.25, 0.75, 0.75 → 1/7, 3/7, 3/7.
        // R rows [0,0,255,255]: o0 = 255/7 = 36.43 → 36, o1 = 255·6/7 = 218.57 → 219; equal rows stay equal vertically.
        // G is R transposed; B is constant 77 (weights sum to exactly 2^22, so constants are kept).
        int[] row = [0, 0, 255, 255];
        var src = Planar(4, 4, (c, x, y) => c == 0 ? row[x] : c == 1 ? row[y] : 77);
        var dst = Resize(src, 4, 4, 2, 2);
        Assert.Equal(new byte[] { 36, 219, 36, 219, /* G */ 36, 36, 219, 219, /* B */ 77, 77, 77, 77 }, dst);
    }

    [Fact]
    public void Downscale_by_three_clamps_the_filter_at_the_borders()
    {
        // Horizontal 6 → 2, s = 3, r = 3. o = 0: c = 1.5, xmin = (int)(-1) = 0, xmax = (int)5 = 5, taps 0..4:
        // tri((i - 1)/3) = 2/3, 1, 2/3, 1/3, 0 → /(8/3) = 1/4, 3/8, 1/4, 1/8, 0.
        // o = 1: c = 4.5, xmin = (int)2 = 2, xmax = (int)8 → 6, taps 2..5: 1/3, 2/3, 1, 2/3 → 1/8, 1/4, 3/8, 1/4.
        // Vertical 3 → 1, s = 3: c = 1.5, taps 0..2: 2/3, 1, 2/3 → 2/7, 3/7, 2/7.
        // R rows [0,0,0,255,255,255]: o0 = 255/8 = 31.875 → 32; o1 = 255·7/8 = 223.125 → 223.
        // G: row values 255, 0, 0 (constant along rows): 255·2/7 = 72.86 → 73.
        // B: ramp 0,40,..,200 in x: o0 = 40·3/8 + 80/4 + 120/8 = 50; o1 = 80/8 + 120/4 + 160·3/8 + 200/4 = 150.
        int[] r = [0, 0, 0, 255, 255, 255];
        int[] g = [255, 0, 0];
        var src = Planar(6, 3, (c, x, y) => c == 0 ? r[x] : c == 1 ? g[y] : 40 * x);
        var dst = Resize(src, 6, 3, 2, 1);
        Assert.Equal(new byte[] { 32, 223, 73, 73, 50, 150 }, dst);
    }

    [Fact]
    public void Upscale_interpolates_between_pixel_centres_with_an_8_bit_intermediate()
    {
        // 2 → 4, s = 0.5, r = 1. Centres 0.25, 0.75, 1.25, 1.75:
        // o0: taps {0} → 1; o1: taps {0,1}: tri(-0.25), tri(0.75) = 0.75, 0.25; o2: 0.25, 0.75; o3: taps {1} → 1.
        // R = [[0,255],[0,255]]: each row → 0, 63.75 → 64, 191.25 → 191, 255.
        // G = [[10,10],[20,20]] (vertical): rows 10, 12.5 → 13 (half rounds up), 17.5 → 18, 20.
        // B = checker [[0,255],[255,0]]: horizontal rows h0 = 0,64,191,255 and h1 = 255,191,64,0 (8-bit), then
        // row 1 = 0.75·h0 + 0.25·h1 = 63.75, 95.75, 159.25, 191.25 → 64, 96, 159, 191; row 2 = 191, 159, 96, 64.
        var src = Planar(2, 2, (c, x, y) => c switch { 0 => 255 * x, 1 => 10 + 10 * y, _ => (x + y) % 2 == 1 ? 255 : 0 });
        var dst = Resize(src, 2, 2, 4, 4);
        byte[] expected =
        [
            0, 64, 191, 255, 0, 64, 191, 255, 0, 64, 191, 255, 0, 64, 191, 255,
            10, 10, 10, 10, 13, 13, 13, 13, 18, 18, 18, 18, 20, 20, 20, 20,
            0, 64, 191, 255, 64, 96, 159, 191, 191, 159, 96, 64, 255, 191, 64, 0,
        ];
        Assert.Equal(expected, dst);
    }

    [Fact]
    public void Wide_rows_give_the_same_values_in_the_vectorised_and_scalar_parts()
    {
        // 21×2 → 21×4: horizontal identity, vertical 2 → 4 as in the upscale case: rows 10, 13, 18, 20 across all
        // 21 columns (the vertical pass handles whole SIMD vectors and then a scalar tail).
        var src = Planar(21, 2, (c, x, y) => 10 + 10 * y);
        var dst = Resize(src, 21, 2, 21, 4);
        byte[] rowValues = [10, 13, 18, 20];
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 4; y++)
                for (int x = 0; x < 21; x++) Assert.Equal(rowValues[y], dst[(c * 4 + y) * 21 + x]);
    }

    [Fact]
    public void Same_size_is_the_identity()
    {
        var src = Planar(5, 3, (c, x, y) => (c * 71 + x * 13 + y * 29) % 256);
        Assert.Equal(src, Resize(src, 5, 3, 5, 3));
    }

    [Fact]
    public void Reading_a_crop_window_in_place_equals_resizing_a_copied_crop()
    {
        int w = 37, h = 23;
        var src = Planar(w, h, (c, x, y) => (c * 91 + x * x * 7 + y * 31 + x * y) % 256);
        var crop = new PixelRect(5, 3, 19, 14);
        var copy = Planar(crop.Width, crop.Height, (c, x, y) => src[(c * h + crop.Y + y) * w + crop.X + x]);
        var expected = Resize(copy, crop.Width, crop.Height, 11, 9);
        var actual = new byte[3 * 11 * 9];
        BilinearResampler.ResizeRgb(src, w, h, crop, 11, 9, PixelRect.Full(11, 9), actual);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Producing_an_output_window_equals_resizing_fully_then_cropping()
    {
        int w = 41, h = 29;
        var src = Planar(w, h, (c, x, y) => (c * 53 + x * 17 + y * y * 5) % 256);
        int ow = 27, oh = 35;
        var full = Resize(src, w, h, ow, oh);
        var window = new PixelRect(4, 7, 15, 20);
        var actual = new byte[3 * window.Width * window.Height];
        BilinearResampler.ResizeRgb(src, w, h, PixelRect.Full(w, h), ow, oh, window, actual);
        var expected = Planar(window.Width, window.Height, (c, x, y) => full[(c * oh + window.Y + y) * ow + window.X + x]);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Bad_buffers_are_rejected_with_a_message()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            BilinearResampler.ResizeRgb(new byte[10], 2, 2, PixelRect.Full(2, 2), 1, 1, PixelRect.Full(1, 1), new byte[3]));
        Assert.Contains("12 bytes", ex.Message);
        Assert.Throws<ArgumentException>(() =>
            BilinearResampler.ResizeRgb(new byte[12], 2, 2, new PixelRect(1, 0, 2, 2), 1, 1, PixelRect.Full(1, 1), new byte[3]));
    }
}
