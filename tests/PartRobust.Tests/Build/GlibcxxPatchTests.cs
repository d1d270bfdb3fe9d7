using System.Reflection;
using PartRobust.Build;
using Xunit;

namespace PartRobust.Tests.Build;

public class GlibcxxPatchTests
{
    static string NuGetRoot => typeof(GlibcxxPatchTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .First(a => a.Key == "NuGetPackageRoot").Value!;

    static string CachedLibrary => Path.Combine(NuGetRoot, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    [Fact]
    public void Patch_marks_the_need_weak_once_and_only_that_byte_changes()
    {
        if (!OperatingSystem.IsLinux()) return;
        string copy = Path.Combine(Path.GetTempPath(), $"libLibTorchSharp-{Guid.NewGuid():N}.so");
        File.Copy(CachedLibrary, copy);
        try
        {
            byte[] before = File.ReadAllBytes(copy);
            Assert.False(GlibcxxVersionPatch.IsWeak(copy));
            Assert.Equal(GlibcxxPatchResult.Patched, GlibcxxVersionPatch.Patch(copy));
            Assert.True(GlibcxxVersionPatch.IsWeak(copy));
            byte[] after = File.ReadAllBytes(copy);
            Assert.Equal(before.Length, after.Length);
            var changed = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToList();
            Assert.Single(changed);
            Assert.Equal(GlibcxxPatchResult.AlreadyWeak, GlibcxxVersionPatch.Patch(copy));
            Assert.Equal(after, File.ReadAllBytes(copy));
        }
        finally { File.Delete(copy); }
    }

    [Fact]
    public void The_nuget_cache_copy_is_never_patched()
    {
        if (!OperatingSystem.IsLinux()) return;
        Assert.False(GlibcxxVersionPatch.IsWeak(CachedLibrary));
    }

    [Fact]
    public void The_output_folder_copy_is_patched_exactly_when_the_host_needs_it()
    {
        if (!OperatingSystem.IsLinux()) return;
        string output = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(output), output);
        bool hostHas = GlibcxxVersionPatch.HostLibStdCxxHas();
        Assert.Equal(!hostHas, GlibcxxVersionPatch.IsWeak(output));
    }

    [Fact]
    public void Torch_loads_and_computes()
    {
        using var t = TorchSharp.torch.arange(4, TorchSharp.torch.float32);
        Assert.Equal(6f, t.sum().item<float>());
    }

    [Fact]
    public void A_library_without_that_need_is_left_alone_and_non_elf_is_rejected()
    {
        if (!OperatingSystem.IsLinux()) return;
        string libc = new[] { "/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6" }.FirstOrDefault(File.Exists) ?? "";
        if (libc != "")
        {
            string copy = Path.Combine(Path.GetTempPath(), $"libc-{Guid.NewGuid():N}.so");
            File.Copy(libc, copy);
            try { Assert.Equal(GlibcxxPatchResult.NoSuchVersionNeed, GlibcxxVersionPatch.Patch(copy)); }
            finally { File.Delete(copy); }
        }
        Assert.Throws<InvalidDataException>(() => GlibcxxVersionPatch.FindVernauxFlagsOffset(new byte[100], GlibcxxVersionPatch.Version));
    }
}
