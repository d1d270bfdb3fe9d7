using System.Runtime.InteropServices;
using SkiaSharp;

namespace PartRobust.Data;

/// <summary>
/// The one place where images are encoded and decoded (SkiaSharp). Images are 8-bit RGB PNGs (or JPEGs); masks are 8-bit
/// grayscale PNGs whose pixel value is the label index. Pixel buffers are planar: [3,H,W] for RGB, [H,W] for gray.
/// </summary>
public static class ImageIO
{
    /// <summary>Encodes a planar RGB buffer [3,H,W] as a PNG (no alpha channel).</summary>
    /// <param name="planar">The pixels.</param>
    /// <param name="width">Width.</param>
    /// <param name="height">Height.</param>
    /// <param name="zlibLevel">zlib level 0–9: 6 is Skia's default; 1 encodes a photo about 12× faster for about 18% more bytes.</param>
    public static byte[] EncodeRgbPng(ReadOnlySpan<byte> planar, int width, int height, int zlibLevel = 6) =>
        // Opaque RGBA is written by Skia's PNG encoder as colour type 2 (RGB).
        Encode(OpaqueRgba(planar, width, height), new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque), SKEncodedImageFormat.Png, zlibLevel);

    /// <summary>Encodes a planar RGB buffer [3,H,W] as a JPEG of the given quality (1–100).</summary>
    public static byte[] EncodeRgbJpeg(ReadOnlySpan<byte> planar, int width, int height, int quality) =>
        Encode(OpaqueRgba(planar, width, height), new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque), SKEncodedImageFormat.Jpeg, quality);

    static byte[] OpaqueRgba(ReadOnlySpan<byte> planar, int width, int height)
    {
        int px = width * height;
        if (planar.Length != 3 * px) throw new ArgumentException($"Expected {3 * px} bytes for {width}x{height} RGB, got {planar.Length}.");
        var rgba = new byte[4 * px];
        for (int i = 0; i < px; i++)
        {
            rgba[4 * i] = planar[i]; rgba[4 * i + 1] = planar[px + i]; rgba[4 * i + 2] = planar[2 * px + i]; rgba[4 * i + 3] = 255;
        }
        return rgba;
    }

    /// <summary>Encodes an 8-bit [H,W] buffer as a grayscale PNG.</summary>
    public static byte[] EncodeGrayPng(ReadOnlySpan<byte> gray, int width, int height)
    {
        if (gray.Length != width * height) throw new ArgumentException($"Expected {width * height} bytes for {width}x{height} gray, got {gray.Length}.");
        return Encode(gray.ToArray(), new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque), SKEncodedImageFormat.Png, 6);
    }

    /// <summary>Decodes a PNG (or any format Skia reads) to planar RGB [3,H,W]; throws <see cref="InvalidDataException"/> if undecodable.</summary>
    public static (byte[] Planar, int Width, int Height) DecodeRgb(byte[] encoded)
    {
        var (rgba, w, h) = Decode(encoded, SKColorType.Rgba8888);
        int px = w * h;
        var planar = new byte[3 * px];
        for (int i = 0; i < px; i++)
        {
            planar[i] = rgba[4 * i]; planar[px + i] = rgba[4 * i + 1]; planar[2 * px + i] = rgba[4 * i + 2];
        }
        return (planar, w, h);
    }

    /// <summary>Decodes a grayscale PNG to [H,W] bytes; throws <see cref="InvalidDataException"/> if undecodable.</summary>
    public static (byte[] Gray, int Width, int Height) DecodeGray(byte[] encoded) => Decode(encoded, SKColorType.Gray8);

    static byte[] Encode(byte[] pixels, SKImageInfo info, SKEncodedImageFormat format, int quality)
    {
        var handle = GCHandle.Alloc(pixels, GCHandleType.Pinned);
        try
        {
            using var pixmap = new SKPixmap(info, handle.AddrOfPinnedObject(), info.RowBytes);
            // For PNG, quality is the zlib level (Skia's defaults are all filters and level 6).
            using var data = (format == SKEncodedImageFormat.Png
                                 ? pixmap.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.AllFilters, quality))
                                 : pixmap.Encode(format, quality))
                             ?? throw new InvalidOperationException($"{format} encoding failed.");
            return data.ToArray();
        }
        finally { handle.Free(); }
    }

    static (byte[] Pixels, int Width, int Height) Decode(byte[] encoded, SKColorType colorType)
    {
        using var data = SKData.CreateCopy(encoded);
        using var codec = SKCodec.Create(data) ?? throw new InvalidDataException("not a decodable image");
        // No colour space: raw stored values, no colour management, so a round trip is exact.
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, colorType, SKAlphaType.Unpremul);
        var pixels = new byte[info.BytesSize];
        var handle = GCHandle.Alloc(pixels, GCHandleType.Pinned);
        try
        {
            var result = codec.GetPixels(info, handle.AddrOfPinnedObject());
            if (result != SKCodecResult.Success) // incomplete input counts as corrupt
                throw new InvalidDataException($"image decoding failed ({result})");
        }
        finally { handle.Free(); }
        return (pixels, info.Width, info.Height);
    }
}
