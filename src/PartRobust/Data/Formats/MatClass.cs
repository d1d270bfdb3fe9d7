namespace PartRobust.Data.Formats;

/// <summary>The MATLAB array class of a Level-5 MAT-file <c>miMATRIX</c> element (the low byte of its array flags).</summary>
public enum MatClass
{
    /// <summary>Cell array (mxCELL_CLASS).</summary>
    Cell = 1,
    /// <summary>Structure or structure array (mxSTRUCT_CLASS).</summary>
    Struct = 2,
    /// <summary>MATLAB object (mxOBJECT_CLASS); not supported by <see cref="MatFile"/>.</summary>
    Object = 3,
    /// <summary>Character array (mxCHAR_CLASS).</summary>
    Char = 4,
    /// <summary>Sparse array (mxSPARSE_CLASS); not supported by <see cref="MatFile"/>.</summary>
    Sparse = 5,
    /// <summary>Double precision (mxDOUBLE_CLASS).</summary>
    Double = 6,
    /// <summary>Single precision (mxSINGLE_CLASS).</summary>
    Single = 7,
    /// <summary>Signed 8-bit integer (mxINT8_CLASS).</summary>
    Int8 = 8,
    /// <summary>Unsigned 8-bit integer (mxUINT8_CLASS); also the class of logical arrays.</summary>
    UInt8 = 9,
    /// <summary>Signed 16-bit integer (mxINT16_CLASS).</summary>
    Int16 = 10,
    /// <summary>Unsigned 16-bit integer (mxUINT16_CLASS).</summary>
    UInt16 = 11,
    /// <summary>Signed 32-bit integer (mxINT32_CLASS).</summary>
    Int32 = 12,
    /// <summary>Unsigned 32-bit integer (mxUINT32_CLASS).</summary>
    UInt32 = 13,
    /// <summary>Signed 64-bit integer (mxINT64_CLASS).</summary>
    Int64 = 14,
    /// <summary>Unsigned 64-bit integer (mxUINT64_CLASS).</summary>
    UInt64 = 15,
}
