using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PartRobust;

/// <summary>
/// Keeps glibc's malloc from handing tensor memory back to the kernel after every step. libtorch's CPU tensors come
/// from malloc; by default glibc serves large blocks with fresh mmaps and trims its heaps when they are freed, so each
/// training or attack step page-faults its activations in again (see docs/benchmarks.md). Here every block comes from
/// malloc's heaps and freed memory stays there for the next step. Applied once when the library loads, on Linux with
/// glibc only; memory stays at its peak instead of shrinking between steps. It holds fully for the process's main
/// thread, where the CLI trains and attacks; a thread with its own malloc arena still gives back heaps that empty.
/// Skipped when <c>PARTROBUST_MALLOC=default</c> or when <c>GLIBC_TUNABLES</c> already sets malloc parameters.
/// </summary>
public static class NativeAllocator
{
    // glibc's mallopt parameters (malloc.h).
    const int TrimThresholdParameter = -1, MmapThresholdParameter = -3, MmapMaxParameter = -4;

    /// <summary>The mmap threshold (glibc's maximum); setting it also stops glibc from adapting the thresholds.</summary>
    public const int MmapThresholdBytes = 32 << 20;

    /// <summary>How many blocks may have their own mmap: none (glibc caps the mmap threshold at 32 MiB, below a 64 px
    /// part model's logits).</summary>
    public const int MaxMmappedBlocks = 0;

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
            & mallopt(MmapMaxParameter, MaxMmappedBlocks) == 1
            & mallopt(TrimThresholdParameter, TrimThresholdBytes) == 1;
        return Applied;
    }
}
