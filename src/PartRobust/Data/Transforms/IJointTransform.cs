namespace PartRobust.Data.Transforms;

/// <summary>The same geometry applied to an image and its part mask (mask always nearest), giving S×S outputs.</summary>
public interface IJointTransform
{
    /// <summary>Output side S.</summary>
    int Size { get; }

    /// <summary>Transforms planar RGB [3,H,W] and mask [H,W] bytes; random draws come only from <paramref name="seed"/>.</summary>
    (byte[] Image, byte[] Mask) Apply(ReadOnlySpan<byte> image, int width, int height, ReadOnlySpan<byte> mask, ulong seed);
}
