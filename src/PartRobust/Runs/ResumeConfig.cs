using System.Text.Json;

namespace PartRobust.Runs;

/// <summary>
/// The configuration of an interrupted run (<c>partrobust train --resume DIR</c>): read from the partial folder's
/// config.json, and compared with what the command line asks for, so that a resumed run cannot silently change its recipe.
/// </summary>
public static class ResumeConfig
{
    /// <summary>The interrupted run's config.</summary>
    /// <exception cref="ArgumentException">Nothing to resume at <paramref name="runDir"/> (one-line message).</exception>
    public static ExperimentConfig Load(string runDir)
    {
        string final = Path.GetFullPath(runDir).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        string config = Path.Combine(RunDirectory.PartialPath(final), "config.json");
        if (Directory.Exists(final) && Directory.EnumerateFileSystemEntries(final).Any() && !File.Exists(config))
            throw new ArgumentException($"--resume {runDir}: nothing to resume: the run is complete");
        if (!File.Exists(config))
            throw new ArgumentException($"--resume {runDir}: nothing to resume: no interrupted run there (expected {config})");
        return ExperimentConfig.Load(config);
    }

    /// <summary>Throws when <paramref name="requested"/> differs from the run's <paramref name="saved"/> config, naming the first differing setting.</summary>
    /// <exception cref="ArgumentException">Config mismatch (one-line message).</exception>
    public static void CheckSame(ExperimentConfig saved, ExperimentConfig requested, string runDir)
    {
        var a = JsonSerializer.SerializeToElement(saved, JsonFiles.Options);
        var b = JsonSerializer.SerializeToElement(requested, JsonFiles.Options);
        if (FirstDifference(a, b, "") is { } d)
            throw new ArgumentException($"--resume {runDir}: config mismatch: {d.Path} is {d.Saved} in the run's config.json but {d.Requested} here; resume without changing settings");
    }

    static (string Path, string Saved, string Requested)? FirstDifference(JsonElement a, JsonElement b, string path)
    {
        if (a.ValueKind == JsonValueKind.Object && b.ValueKind == JsonValueKind.Object)
        {
            var names = a.EnumerateObject().Select(p => p.Name).Union(b.EnumerateObject().Select(p => p.Name));
            foreach (var name in names)
            {
                string sub = path.Length == 0 ? name : $"{path}.{name}";
                bool inA = a.TryGetProperty(name, out var va), inB = b.TryGetProperty(name, out var vb);
                if (!inA || !inB) return (sub, inA ? va.GetRawText() : "absent", inB ? vb.GetRawText() : "absent");
                if (FirstDifference(va, vb, sub) is { } d) return d;
            }
            return null;
        }
        string ra = a.GetRawText(), rb = b.GetRawText();
        return ra == rb ? null : (path, ra, rb);
    }
}
