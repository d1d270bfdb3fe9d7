using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PartRobust;

/// <summary>
/// Keeps glibc's malloc from handing tensor memory back to the kernel after every step. libtorch's CPU tensors come
/// from malloc; by default glibc serves large blocks with fresh mmaps and trims its heaps when they are freed, so each
/// training or attack step page-faults its activations in again (see docs/benchmarks.md). Applied once when the
/// library loads, on Linux with glibc only; memory stays at its peak instead of shrinking between steps.
/// Skipped when <c>PARTROBUST_MALLOC=default</c> or when <c>GLIBC_TUNABLES</c> already sets malloc parameters.
/// </summary>
public static class NativeAllocator
{
    // glibc's mallopt parameters (malloc.h).
    const int TrimThresholdParameter = -1, MmapThresholdParameter = -3;

    /// <summary>Blocks up to this size come from malloc's heaps rather than their own mmap (glibc's maximum).</summary>
    public const int MmapThresholdBytes = 32 << 20;

    /// <summary>Free memory at a heap's top is kept up to this size rather than trimmed.</summary>
    public const int TrimThresholdBytes = int.MaxValue;

    /// <summary>Whether the settings were applied in this process.</summary>
    public static bool Applied { get; private set; }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    delegate int MalloptFunction(int parameter, int value);

#pragma warning disable CA2255 // A process-wide allocator setting must precede libtorch's first allocations.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void ApplyOnLoad() => Apply();

    /// <summary>Applies the settings if this is Linux with glibc and the user has not opted out; idempotent.</summary>
    public static bool Apply()
    {
        if (Applied) return true;
        if (!OperatingSystem.IsLinux()) return false;
        if (Environment.GetEnvironmentVariable("PARTROBUST_MALLOC") == "default") return false;
        if (Environment.GetEnvironmentVariable("GLIBC_TUNABLES")?.Contains("glibc.malloc.") == true) return false;
        if (!NativeLibrary.TryLoad("libc.so.6", out var libc)) return false;
        if (!NativeLibrary.TryGetExport(libc, "mallopt", out var address)) return false;
        var mallopt = Marshal.GetDelegateForFunctionPointer<MalloptFunction>(address);
        Applied = mallopt(MmapThresholdParameter, MmapThresholdBytes) == 1
            & mallopt(TrimThresholdParameter, TrimThresholdBytes) == 1;
        return Applied;
    }
}
