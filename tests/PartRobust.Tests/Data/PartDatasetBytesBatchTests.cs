using PartRobust.Data;
using Xunit;
using static TorchSharp.torch;

namespace PartRobust.Tests.Data;

public sealed class PartDatasetBytesBatchTests
{
    [Fact]
    public void Batch_images_are_bytes_over_255_and_ignore_becomes_minus_one()
    {
        using var scope = NewDisposeScope();
        int s = 2;
        byte[] img0 = [0, 51, 255, 102, /* G */ 1, 2, 3, 4, /* B */ 5, 6, 7, 8];
        byte[] img1 = new byte[12];
        byte[] m0 = [0, 3, 255, 254];
        byte[] m1 = [255, 255, 1, 2];
        var (images, masks) = PartDatasetBytes.ToBatch([(img0, m0), (img1, m1)], s);
        Assert.Equal(new long[] { 2, 3, 2, 2 }, images.shape);
        Assert.Equal(ScalarType.Float32, images.dtype);
        Assert.Equal(new long[] { 2, 2, 2 }, masks.shape);
        Assert.Equal(ScalarType.Int64, masks.dtype);
        var f = images.data<float>().ToArray();
        Assert.Equal(new[] { 0f, 0.2f, 1f, 0.4f }, f[..4]);
        Assert.Equal(4f / 255f, f[7]);
        Assert.Equal(new long[] { 0, 3, -1, 254, -1, -1, 1, 2 }, masks.data<long>().ToArray());
        Assert.Throws<ArgumentException>(() => PartDatasetBytes.ToBatch([(img0, new byte[3])], s));
    }
}
