using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace PartRobust.Data.Prepare;

/// <summary>
/// Writes prepared samples in PartRobust's on-disk format (<see cref="PreparedLayout"/>). Every file goes into a temporary
/// sibling folder first; <see cref="Commit"/> writes the indexes and replaces the output folder in one rename, so an
/// interrupted or failed preparation leaves no partial output. Output is a function of the samples only (no dates, sorted
/// indexes), so preparing the same source twice gives identical files.
/// </summary>
public sealed class PreparedDatasetWriter : IDisposable
{
    readonly string _outDir, _tmp, _dataset;
    readonly PartTaxonomy _taxonomy;
    readonly IProgressSink _progress;
    readonly ConcurrentBag<(string File, string Reason)> _skipped = new();
    readonly ConcurrentDictionary<(string Split, int Label, string Stem), Entry> _entries = new();
    readonly long[] _partSamples, _partPixels;
    readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    bool _committed;

    sealed record Entry(string Image, string Mask, int Width, int Height);

    /// <summary>Facts recorded in <c>dataset.json</c>: the split rule, seeds, deviations from the authors' code.</summary>
    public IDictionary<string, string> Provenance { get; } = new ConcurrentDictionary<string, string>();

    /// <summary>Starts writing a prepared <paramref name="dataset"/> that will replace <paramref name="outDir"/> on commit.</summary>
    /// <exception cref="ArgumentException"><paramref name="outDir"/> exists and is neither empty nor a prepared dataset (it would be overwritten).</exception>
    public PreparedDatasetWriter(string outDir, string dataset, PartTaxonomy taxonomy, IProgressSink progress)
    {
        _outDir = Path.GetFullPath(outDir).TrimEnd(Path.DirectorySeparatorChar);
        if (taxonomy.NumSegLabels > 255) throw new ArgumentException($"{dataset}: {taxonomy.NumSegLabels} seg labels do not fit 8-bit masks (max 255)");
        PreparedLayout.CheckReplaceable(_outDir);
        _dataset = dataset;
        _taxonomy = taxonomy;
        _progress = progress;
        _partSamples = new long[taxonomy.NumSegLabels];
        _partPixels = new long[taxonomy.NumSegLabels];
        string parent = Path.GetDirectoryName(_outDir) ?? ".";
        Directory.CreateDirectory(parent);
        _tmp = Path.Combine(parent, $".{Path.GetFileName(_outDir)}.tmp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_tmp);
    }

    /// <summary>Validates <paramref name="sample"/> and writes its image and mask. Thread-safe.</summary>
    /// <exception cref="ArgumentException">The sample breaks the format (a preparer bug, not bad input).</exception>
    public void Add(PreparedSample sample)
    {
        if (_committed) throw new InvalidOperationException("the writer was already committed");
        if (!PreparedLayout.Splits.Contains(sample.Split)) throw new ArgumentException($"{sample.Source}: split '{sample.Split}' is not train, val or test");
        if (sample.Label < 0 || sample.Label >= _taxonomy.NumClasses) throw new ArgumentException($"{sample.Source}: label {sample.Label} out of range 0..{_taxonomy.NumClasses - 1}");
        if (sample.Width <= 0 || sample.Height <= 0 || sample.Mask.Length != sample.Width * sample.Height)
            throw new ArgumentException($"{sample.Source}: mask has {sample.Mask.Length} values, expected {sample.Width}x{sample.Height}");
        if (string.IsNullOrEmpty(sample.Stem) || sample.Stem.IndexOfAny(['/', '\\', ',', '\n']) >= 0)
            throw new ArgumentException($"{sample.Source}: stem '{sample.Stem}' is empty or has a path separator or comma");
        var present = new long[_taxonomy.NumSegLabels];
        foreach (byte v in sample.Mask)
        {
            if (v == PreparedLayout.IgnoreByte) continue;
            if (v >= _taxonomy.NumSegLabels) throw new ArgumentException($"{sample.Source}: mask value {v} out of range 0..{_taxonomy.NumSegLabels - 1}");
            present[v]++;
        }
        string cls = _taxonomy.ClassNames[sample.Label];
        string image = $"images/{cls}/{sample.Stem}{sample.Image.Extension}";
        string mask = $"masks/{cls}/{sample.Stem}.png";
        if (!_entries.TryAdd((sample.Split, sample.Label, sample.Stem), new Entry(image, mask, sample.Width, sample.Height)))
            throw new ArgumentException($"{sample.Source}: a sample named {sample.Stem} was already added to {sample.Split}/{cls}");
        string dir = Path.Combine(_tmp, sample.Split);
        Directory.CreateDirectory(Path.Combine(dir, "images", cls));
        Directory.CreateDirectory(Path.Combine(dir, "masks", cls));
        File.WriteAllBytes(Path.Combine(dir, image), sample.Image.Bytes);
        File.WriteAllBytes(Path.Combine(dir, mask), ImageIO.EncodeGrayPng(sample.Mask, sample.Width, sample.Height));
        for (int k = 0; k < present.Length; k++)
        {
            if (present[k] == 0) continue;
            Interlocked.Increment(ref _partSamples[k]);
            Interlocked.Add(ref _partPixels[k], present[k]);
        }
    }

    /// <summary>Records a skipped file and logs one line naming it and the reason. Thread-safe.</summary>
    public void Skip(string file, string reason)
    {
        _skipped.Add((file, reason));
        _progress.Log($"skipped {file}: {reason}");
    }

    /// <summary>Writes the indexes, <c>dataset.json</c>, <c>summary.md</c> and <c>skipped.txt</c>, then replaces the output folder.</summary>
    public PrepareSummary Commit()
    {
        if (_committed) throw new InvalidOperationException("the writer was already committed");
        var counts = PreparedLayout.Splits.ToDictionary(s => s, _ => new int[_taxonomy.NumClasses]);
        var ci = CultureInfo.InvariantCulture;
        foreach (string split in PreparedLayout.Splits)
        {
            string dir = Path.Combine(_tmp, split);
            Directory.CreateDirectory(dir);
            var csv = new StringBuilder(PreparedLayout.IndexHeader).Append('\n');
            foreach (var (key, e) in _entries.Where(kv => kv.Key.Split == split)
                         .OrderBy(kv => kv.Key.Label).ThenBy(kv => kv.Key.Stem, StringComparer.Ordinal))
            {
                csv.Append(ci, $"{e.Image},{e.Mask},{key.Label},{_taxonomy.ClassNames[key.Label]},{e.Width},{e.Height}\n");
                counts[split][key.Label]++;
            }
            File.WriteAllText(Path.Combine(dir, PreparedLayout.IndexFile), csv.ToString());
            PreparedLayout.WriteTaxonomy(Path.Combine(dir, PreparedLayout.TaxonomyFile), _taxonomy);
        }
        var skipped = _skipped.OrderBy(s => s.File, StringComparer.Ordinal).ThenBy(s => s.Reason, StringComparer.Ordinal).ToList();
        var summary = new PrepareSummary
        {
            Dataset = _dataset, OutDir = _outDir, Taxonomy = _taxonomy, Counts = counts, PartSamples = _partSamples,
            PartPixels = _partPixels, Skipped = skipped, Seconds = _clock.Elapsed.TotalSeconds,
        };
        foreach (string split in PreparedLayout.Splits)
            for (int c = 0; c < _taxonomy.NumClasses; c++)
                if (counts[split][c] == 0 && summary.Total > 0)
                    _progress.Log($"warning: class {_taxonomy.ClassNames[c]} has no {split} samples");
        var info = new PreparedLayout.DatasetInfo
        {
            Format = PreparedLayout.FormatName, Version = PreparedLayout.FormatVersion, Dataset = _dataset,
            Splits = PreparedLayout.Splits.ToDictionary(s => s, s => counts[s].Sum()),
            Provenance = new SortedDictionary<string, string>(Provenance, StringComparer.Ordinal),
        };
        File.WriteAllText(Path.Combine(_tmp, PreparedLayout.DatasetFile), JsonSerializer.Serialize(info, PreparedLayout.Json));
        File.WriteAllText(Path.Combine(_tmp, "skipped.txt"), string.Concat(skipped.Select(s => $"{s.File}: {s.Reason}\n")));
        File.WriteAllText(Path.Combine(_tmp, "summary.md"), StripTiming(summary.ToMarkdown()));
        PreparedLayout.Replace(_tmp, _outDir);
        _committed = true;
        return summary;
    }

    // summary.md in the folder leaves out the time so that two preparations of one source give identical folders.
    static string StripTiming(string markdown)
    {
        int end = markdown.IndexOf('\n');
        string first = markdown[..end];
        int cut = first.LastIndexOf(" in ", StringComparison.Ordinal);
        return (cut > 0 ? first[..cut] : first) + markdown[end..];
    }

    /// <summary>Deletes the temporary folder unless <see cref="Commit"/> succeeded.</summary>
    public void Dispose()
    {
        if (!_committed && Directory.Exists(_tmp))
        {
            try { Directory.Delete(_tmp, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
