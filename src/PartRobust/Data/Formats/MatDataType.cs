namespace PartRobust.Data.Formats;

/// <summary>The type field of a Level-5 MAT-file data element tag (how the bytes that follow are stored).</summary>
public enum MatDataType
{
    /// <summary>8-bit signed integer.</summary>
    Int8 = 1,
    /// <summary>8-bit unsigned integer.</summary>
    UInt8 = 2,
    /// <summary>16-bit signed integer.</summary>
    Int16 = 3,
    /// <summary>16-bit unsigned integer (also UTF-16 code units of char arrays).</summary>
    UInt16 = 4,
    /// <summary>32-bit signed integer.</summary>
    Int32 = 5,
    /// <summary>32-bit unsigned integer.</summary>
    UInt32 = 6,
    /// <summary>IEEE 754 single.</summary>
    Single = 7,
    /// <summary>IEEE 754 double.</summary>
    Double = 9,
    /// <summary>64-bit signed integer.</summary>
    Int64 = 12,
    /// <summary>64-bit unsigned integer.</summary>
    UInt64 = 13,
    /// <summary>A MATLAB array (array flags, dimensions, name, then class-specific elements).</summary>
    Matrix = 14,
    /// <summary>A zlib stream holding one more data element.</summary>
    Compressed = 15,
    /// <summary>UTF-8 text.</summary>
    Utf8 = 16,
    /// <summary>UTF-16 text.</summary>
    Utf16 = 17,
    /// <summary>UTF-32 text.</summary>
    Utf32 = 18,
}
