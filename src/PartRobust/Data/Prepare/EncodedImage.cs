namespace PartRobust.Data.Prepare;

/// <summary>An image as it is stored: its encoded bytes and their extension (<c>.jpg</c> for a copied original, <c>.png</c> otherwise).</summary>
/// <param name="Bytes">The file's bytes.</param>
/// <param name="Extension">File extension with the dot.</param>
public sealed record EncodedImage(byte[] Bytes, string Extension);
