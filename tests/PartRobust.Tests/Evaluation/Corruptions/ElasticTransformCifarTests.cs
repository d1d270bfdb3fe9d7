using PartRobust.Evaluation.Corruptions;
using Xunit;

namespace PartRobust.Tests.Evaluation.Corruptions;

public sealed class ElasticTransformCifarTests
{
    [Fact]
    public void The_affine_inverse_maps_the_moved_points_back()
    {
        double[] src = [16 + 10, 16 + 10, 16 + 10, 16 - 10, 16 - 10, 16 - 10];
        // A pure translation by (1, −2).
        var t = ElasticTransform.InverseAffine(src, [27, 24, 27, 4, 7, 4]);
        Assert.Equal([1, 0, -1, 0, 1, 2], t.Select(v => Math.Round(v, 12)));
        // Any three moved points: the inverse takes each back to where it came from.
        double[] dst = [27.3, 25.1, 24.2, 5.5, 6.1, 4.4];
        var inv = ElasticTransform.InverseAffine(src, dst);
        for (int k = 0; k < 3; k++)
        {
            double x = dst[2 * k], y = dst[2 * k + 1];
            Assert.Equal(src[2 * k], inv[0] * x + inv[1] * y + inv[2], 9);
            Assert.Equal(src[2 * k + 1], inv[3] * x + inv[4] * y + inv[5], 9);
        }
    }

    [Fact]
    public void Cifar_severity_1_is_an_affine_map_alone()
    {
        // A linear ramp stays linear under an affine map with bilinear sampling: away from the borders (where the
        // reflection folds it) every second difference is zero.
        const int s = 32;
        var ramp = new float[3 * s * s];
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < s; y++)
                for (int x = 0; x < s; x++)
                    ramp[c * s * s + y * s + x] = 0.1f + 0.02f * x + 0.01f * y;
        var e = new ElasticTransform();
        for (ulong seed = 0; seed < 5; seed++)
        {
            var o = e.Apply(ramp, s, s, 1, seed, CorruptionTable.Cifar10);
            Assert.NotEqual(ramp, o);
            for (int y = 6; y < s - 6; y++)
                for (int x = 6; x < s - 7; x++)
                    Assert.Equal(0, o[y * s + x + 1] - 2 * o[y * s + x] + o[y * s + x - 1], 4);
        }
    }

    [Fact]
    public void Cifar_table_keeps_a_32px_image_smooth_where_the_imagenet_fields_scramble_it()
    {
        // make_cifar_c's fields are smooth at 32 px; imagecorruptions' ImageNet fields (σ = 0.01·H = 0.3 px) move
        // neighbouring pixels independently. Total variation of the output shows the difference.
        const int s = 32;
        var image = CorruptionTestImages.Natural(s, s);
        var e = new ElasticTransform();
        double tv0 = TotalVariation(image, s);
        for (int severity = 1; severity <= 5; severity++)
        {
            double cifar = TotalVariation(e.Apply(image, s, s, severity, 3, CorruptionTable.Cifar10), s);
            double imagenet = TotalVariation(e.Apply(image, s, s, severity, 3, CorruptionTable.ImageNet), s);
            Assert.True(cifar < 1.3 * tv0, $"severity {severity}: CIFAR TV {cifar:F1} vs clean {tv0:F1}");
            Assert.True(imagenet > cifar, $"severity {severity}: ImageNet TV {imagenet:F1} vs CIFAR {cifar:F1}");
        }
    }

    static double TotalVariation(float[] img, int s)
    {
        double tv = 0;
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < s; y++)
                for (int x = 0; x + 1 < s; x++)
                    tv += Math.Abs(img[c * s * s + y * s + x + 1] - img[c * s * s + y * s + x]);
        return tv;
    }
}
