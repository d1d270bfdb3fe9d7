using PartRobust.Data.Transforms;
using Xunit;

namespace PartRobust.Tests.Data.Transforms;

public sealed class ResizeGeometryTests
{
    [Theory]
    // torchvision: short side → 256, long side int(256·long/short), truncated.
    [InlineData(500, 375, 341, 256)]   // 256·500/375 = 341.33
    [InlineData(375, 500, 256, 341)]
    [InlineData(1000, 333, 768, 256)]  // 768.77 truncates to 768 (rounding would give 769)
    [InlineData(256, 256, 256, 256)]
    [InlineData(100, 100, 256, 256)]
    [InlineData(300, 200, 384, 256)]
    public void Shorter_side_resize_truncates_the_long_side(int w, int h, int ew, int eh)
    {
        Assert.Equal((ew, eh), ResizeGeometry.ShorterSide(w, h, 256));
    }

    [Theory]
    // Offsets int(round(d/2)) with Python's half-to-even: d = 1 → 0, 3 → 2, 5 → 2, 7 → 4, 117 → 58.
    [InlineData(5, 4, 0)]
    [InlineData(7, 4, 2)]
    [InlineData(9, 4, 2)]
    [InlineData(11, 4, 4)]
    [InlineData(341, 224, 58)]
    [InlineData(256, 224, 16)]
    [InlineData(224, 224, 0)]
    public void Center_crop_offsets_round_half_to_even(int size, int crop, int offset)
    {
        Assert.Equal(new PixelRect(offset, 0, crop, crop), ResizeGeometry.CenterCrop(size, crop, crop, crop));
        Assert.Equal(new PixelRect(0, offset, crop, crop), ResizeGeometry.CenterCrop(crop, size, crop, crop));
    }

    [Fact]
    public void Center_crop_larger_than_the_image_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => ResizeGeometry.CenterCrop(200, 300, 224, 224));
    }

    [Theory]
    [InlineData(224, 256)]
    [InlineData(112, 128)]
    [InlineData(128, 146)] // 146.29
    [InlineData(96, 110)]  // 109.71
    public void Eval_resize_keeps_the_256_over_224_ratio(int size, int resize)
    {
        var t = EvalTransform.ForImageSize(size);
        Assert.Equal(size, t.Size);
        Assert.Equal(resize, t.Resize);
    }
}
