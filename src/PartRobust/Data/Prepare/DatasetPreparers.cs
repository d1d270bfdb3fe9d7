namespace PartRobust.Data.Prepare;

/// <summary>The datasets <c>partrobust data prepare</c> knows, by name, and the preparation run itself.</summary>
public static class DatasetPreparers
{
    static readonly NamedRegistry<Func<IDatasetPreparer>> Preparers = new("dataset",
        ("partimagenet", () => new PartImageNetPreparer()),
        ("cityscapes", () => new CityscapesPartsPreparer()),
        ("pascal-part", () => new PascalPartPreparer()));

    /// <summary>Names, in the order the help lists them.</summary>
    public static IReadOnlyList<string> Names => Preparers.Names;

    /// <summary>The preparer of <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">Unknown name (the message lists the known ones).</exception>
    public static IDatasetPreparer Create(string name) => Preparers[name]();

    /// <summary>
    /// Prepares <paramref name="name"/> from its official download in <paramref name="sourceDir"/> into <paramref name="outDir"/>:
    /// all or nothing (the output folder appears only when everything succeeded), with a summary.
    /// </summary>
    public static PrepareSummary Run(string name, string sourceDir, string outDir, PrepareOptions options, IProgressSink progress)
    {
        var preparer = Create(name);
        if (!Directory.Exists(sourceDir)) throw new DirectoryNotFoundException($"--source {sourceDir}: folder not found");
        if (options.Limit is < 1) throw new ArgumentException($"--limit {options.Limit}: expected at least 1");
        if (options.Split is not ("paper" or "original")) throw new ArgumentException($"--split {options.Split}: expected paper or original");
        if (options.Workers < 1) throw new ArgumentException($"--workers {options.Workers}: expected at least 1");
        string full = Path.GetFullPath(outDir), source = Path.GetFullPath(sourceDir);
        if (full == source || full.StartsWith(source.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            && Path.GetFileName(full) is "JPEGImages" or "Annotations_Part" or "leftImg8bit" or "gtFinePanopticParts")
            throw new ArgumentException($"--out {outDir}: must not be the source folder or one of its data folders");
        using var writer = new PreparedDatasetWriter(outDir, name, preparer.Taxonomy, progress);
        writer.Provenance["source"] = source;
        writer.Provenance["split"] = options.Split;
        if (options.Limit is { } limit) writer.Provenance["limit"] = limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        preparer.Prepare(sourceDir, writer, options, progress);
        return writer.Commit();
    }
}
