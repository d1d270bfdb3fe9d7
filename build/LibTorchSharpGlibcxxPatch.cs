// The build step that lets TorchSharp 0.107 load on Debian 12 / Ubuntu 22.04.
//
// TorchSharp's linux-x64 libLibTorchSharp.so was built with GCC 13 and records a version need on
// GLIBCXX_3.4.32, which older libstdc++ lacks, so dlopen fails (and TorchSharp misreports it as a
// missing libtorch reference). The only symbol that needs that version is _ZSt21ios_base_library_initv,
// which GCC 13 references for <iostream> without any relocation, so it is never bound. Marking that one
// version need VER_FLG_WEAK turns the hard failure into nothing at all.
//
// This file is compiled twice: by MSBuild's RoslynCodeTaskFactory as the build task (see
// PartRobust.targets beside it), and into the test project (with PARTROBUST_TESTS defined) so the
// patching logic itself is unit-tested.
using System;
using System.IO;
using System.Text;

namespace PartRobust.Build
{
    /// <summary>Outcome of patching one library.</summary>
    public enum GlibcxxPatchResult
    {
        /// <summary>The version need was strong and is now weak.</summary>
        Patched,
        /// <summary>The version need was already weak: nothing written.</summary>
        AlreadyWeak,
        /// <summary>The library has no version need on the given version: nothing written.</summary>
        NoSuchVersionNeed,
    }

    /// <summary>Marks a GLIBCXX version need of an ELF64 little-endian shared library as weak.</summary>
    public static class GlibcxxVersionPatch
    {
        /// <summary>The version TorchSharp 0.107 needs and Debian 12's libstdc++ lacks.</summary>
        public const string Version = "GLIBCXX_3.4.32";
        const ushort VerFlgWeak = 0x2;
        const uint ShtGnuVerneed = 0x6ffffffe;

        /// <summary>Offset of the vna_flags field of the Vernaux entry naming <paramref name="version"/>, or -1.</summary>
        public static long FindVernauxFlagsOffset(byte[] elf, string version)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException("not an ELF file");
            if (elf[4] != 2 || elf[5] != 1)
                throw new InvalidDataException("not a 64-bit little-endian ELF file");
            long shoff = (long)BitConverter.ToUInt64(elf, 0x28);
            int shentsize = BitConverter.ToUInt16(elf, 0x3A);
            int shnum = BitConverter.ToUInt16(elf, 0x3C);
            if (shoff <= 0 || shentsize < 64 || shoff + (long)shnum * shentsize > elf.Length)
                throw new InvalidDataException("ELF section header table is out of bounds");
            for (int i = 0; i < shnum; i++)
            {
                long sh = shoff + (long)i * shentsize;
                if (BitConverter.ToUInt32(elf, (int)sh + 4) != ShtGnuVerneed) continue;
                long offset = (long)BitConverter.ToUInt64(elf, (int)sh + 24);
                uint link = BitConverter.ToUInt32(elf, (int)sh + 40);
                uint count = BitConverter.ToUInt32(elf, (int)sh + 44);
                long strSh = shoff + (long)link * shentsize;
                long strtab = (long)BitConverter.ToUInt64(elf, (int)strSh + 24);
                long vn = offset;
                for (uint n = 0; n < count; n++)
                {
                    int cnt = BitConverter.ToUInt16(elf, (int)vn + 2);
                    long aux = vn + BitConverter.ToUInt32(elf, (int)vn + 8);
                    for (int a = 0; a < cnt; a++)
                    {
                        uint name = BitConverter.ToUInt32(elf, (int)aux + 8);
                        if (ReadCString(elf, strtab + name) == version) return aux + 4;
                        aux += BitConverter.ToUInt32(elf, (int)aux + 12);
                    }
                    uint next = BitConverter.ToUInt32(elf, (int)vn + 12);
                    if (next == 0) break;
                    vn += next;
                }
            }
            return -1;
        }

        /// <summary>True when the library's need on <paramref name="version"/> is marked weak.</summary>
        public static bool IsWeak(string path, string version = Version)
        {
            byte[] elf = File.ReadAllBytes(path);
            long at = FindVernauxFlagsOffset(elf, version);
            return at >= 0 && (BitConverter.ToUInt16(elf, (int)at) & VerFlgWeak) != 0;
        }

        /// <summary>
        /// Sets VER_FLG_WEAK on the need for <paramref name="version"/>. Idempotent. The file is rewritten
        /// through a temporary name, so a hard link to the NuGet cache is broken rather than written through.
        /// </summary>
        public static GlibcxxPatchResult Patch(string path, string version = Version)
        {
            byte[] elf = File.ReadAllBytes(path);
            long at = FindVernauxFlagsOffset(elf, version);
            if (at < 0) return GlibcxxPatchResult.NoSuchVersionNeed;
            ushort flags = BitConverter.ToUInt16(elf, (int)at);
            if ((flags & VerFlgWeak) != 0) return GlibcxxPatchResult.AlreadyWeak;
            flags |= VerFlgWeak;
            elf[at] = (byte)(flags & 0xff);
            elf[at + 1] = (byte)(flags >> 8);
            string tmp = path + ".patching";
            File.WriteAllBytes(tmp, elf);
            File.Replace(tmp, path, null); // atomic rename over the original
            return GlibcxxPatchResult.Patched;
        }

        /// <summary>
        /// True when a libstdc++.so.6 on this host defines <paramref name="version"/>; false when the ones
        /// found do not, or none is found (then patching is the safe choice).
        /// </summary>
        public static bool HostLibStdCxxHas(string version = Version)
        {
            string[] dirs = { "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib", "/lib",
                              "/usr/lib/aarch64-linux-gnu", "/lib/aarch64-linux-gnu" };
            byte[] needle = Encoding.ASCII.GetBytes(version + "\0");
            foreach (string d in dirs)
            {
                string p = Path.Combine(d, "libstdc++.so.6");
                if (!File.Exists(p)) continue;
                if (IndexOf(File.ReadAllBytes(p), needle) >= 0) return true;
                return false; // the first one found is the one the loader uses
            }
            return false;
        }

        static string ReadCString(byte[] b, long at)
        {
            long end = at;
            while (end < b.Length && b[end] != 0) end++;
            return Encoding.ASCII.GetString(b, (int)at, (int)(end - at));
        }

        static int IndexOf(byte[] hay, byte[] needle)
        {
            for (int i = 0; i + needle.Length <= hay.Length; i++)
            {
                if (hay[i] != needle[0]) continue;
                int j = 1;
                while (j < needle.Length && hay[i + j] == needle[j]) j++;
                if (j == needle.Length) return i;
            }
            return -1;
        }
    }

#if !PARTROBUST_TESTS
    /// <summary>
    /// MSBuild task: patch every libLibTorchSharp.so below a folder when the host needs it, or always for output that
    /// runs on other hosts.
    /// </summary>
    public class PatchLibTorchSharpGlibcxx : Microsoft.Build.Utilities.Task
    {
        /// <summary>The output folder to search.</summary>
        [Microsoft.Build.Framework.Required]
        public string Directory { get; set; } = "";

        /// <summary>
        /// The folder is published or packed for other hosts: patch whatever this host is (a weak need costs nothing
        /// where libstdc++ has the version).
        /// </summary>
        public bool ForOtherHosts { get; set; }

        /// <inheritdoc />
        public override bool Execute()
        {
            if (!System.IO.Directory.Exists(Directory)) return true;
            if (!ForOtherHosts)
            {
                if (!System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Linux)) return true;
                if (GlibcxxVersionPatch.HostLibStdCxxHas()) return true;
            }
            foreach (string so in System.IO.Directory.EnumerateFiles(Directory, "libLibTorchSharp.so", SearchOption.AllDirectories))
            {
                try
                {
                    var r = GlibcxxVersionPatch.Patch(so);
                    if (r == GlibcxxPatchResult.Patched)
                        Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                            $"PartRobust: marked {GlibcxxVersionPatch.Version} weak in {so} ({(ForOtherHosts ? "for other hosts" : "host libstdc++ lacks it")})");
                }
                catch (Exception e)
                {
                    Log.LogError($"PartRobust: could not patch {so}: {e.Message}");
                    return false;
                }
            }
            return true;
        }
    }
#endif
}
