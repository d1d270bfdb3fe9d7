using PartRobust.Data.Formats;
using Xunit;

namespace PartRobust.Tests.Data.Formats;

public class TiffWriterTests
{
    public static TheoryData<TiffCompression, bool, int, bool> Options()
    {
        var d = new TheoryData<TiffCompression, bool, int, bool>();
        foreach (var c in new[] { TiffCompression.None, TiffCompression.Lzw, TiffCompression.Deflate, TiffCompression.PackBits })
            foreach (bool big in new[] { false, true })
                foreach (int rps in new[] { 0, 1, 3 })
                    foreach (bool predictor in new[] { false, true })
                        if (!predictor || c is TiffCompression.Lzw or TiffCompression.Deflate) d.Add(c, big, rps, predictor);
        return d;
    }

    [Theory]
    [MemberData(nameof(Options))]
    public void Round_trips_int32_label_maps(TiffCompression compression, bool big, int rowsPerStrip, bool predictor)
    {
        var rng = new Random(3);
        int w = 37, h = 11;
        var px = new int[w * h];
        for (int i = 0; i < px.Length; i++)
            px[i] = (i / 9 % 4) switch { 0 => 2401001, 1 => rng.Next(int.MinValue, int.MaxValue), 2 => i % 7 - 3, _ => 26003 };
        px[0] = int.MinValue; px[^1] = int.MaxValue;
        var opts = new TiffWriteOptions { Compression = compression, BigEndian = big, RowsPerStrip = rowsPerStrip, Predictor = predictor };
        var bytes = TiffWriter.Write(new TiffImage(w, h, px), opts);
        Assert.Equal(big ? (byte)'M' : (byte)'I', bytes[0]);
        var back = TiffReader.Read(bytes, "rt.tif");
        Assert.Equal((w, h), (back.Width, back.Height));
        Assert.Equal(px, back.Pixels);
    }

    [Fact]
    public void A_large_map_in_default_options_is_small_and_exact()
    {
        // 512x300 of a few uids in blocks (a label map): Deflate strips of ~64 KiB raw, as Pillow writes.
        int w = 512, h = 300;
        var px = new int[w * h];
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) px[y * w + x] = (x / 50 + y / 40) % 3 == 0 ? 2600002 : 23;
        var bytes = TiffWriter.Write(new TiffImage(w, h, px));
        Assert.True(bytes.Length < w * h / 10, $"{bytes.Length} bytes");
        Assert.Equal(px, TiffReader.Read(bytes, "big.tif").Pixels);
        var lzw = TiffWriter.Write(new TiffImage(w, h, px), new TiffWriteOptions { Compression = TiffCompression.Lzw });
        Assert.Equal(px, TiffReader.Read(lzw, "lzw.tif").Pixels);
    }

    [Fact]
    public void WriteFile_and_ReadFile_round_trip()
    {
        string path = Path.Combine(Path.GetTempPath(), $"partrobust-tiff-{Guid.NewGuid():N}.tif");
        try
        {
            var img = new TiffImage(3, 2, [1, -2, 3, 2401001, 5, 0]);
            TiffWriter.WriteFile(path, img);
            Assert.Equal(img.Pixels, TiffReader.ReadFile(path).Pixels);
            Assert.Equal(2401001, TiffReader.ReadFile(path)[0, 1]);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Inconsistent_images_and_options_are_refused()
    {
        Assert.Throws<ArgumentException>(() => TiffWriter.Write(new TiffImage(3, 2, new int[5])));
        Assert.Throws<ArgumentException>(() => TiffWriter.Write(new TiffImage(0, 0, [])));
        Assert.Throws<ArgumentException>(() => TiffWriter.Write(new TiffImage(1, 1, [1]),
            new TiffWriteOptions { Compression = TiffCompression.PackBits, Predictor = true }));
    }
}
