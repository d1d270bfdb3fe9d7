using Xunit;
using Microsoft.CodeAnalysis;

namespace PartRobust.Tests.Architecture;

/// <summary>The layout rules of docs/design.md, measured on the source: folders are layers without cycles, the
/// orchestration code reads as short named steps, and the design document's dependency list is the real one.</summary>
public class ArchitectureTests
{
    /// <summary>The folders whose methods must read as named steps.</summary>
    private static readonly string[] ShortMethodFolders = ["Runs", "Reporting", "Training", "Cli"];

    private const int MaxMethodLines = 80;

    [Fact]
    public void The_source_compiles_so_the_dependency_graph_is_complete()
    {
        var errors = SourceModel.Instance.Diagnostics
            .Where(d => d.Severity == DiagnosticSeverity.Error && d.Id != "CS0009")
            .Take(5).Select(d => d.ToString()).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public void The_source_has_no_unused_using_directive()
    {
        // A stale using hides what a file really depends on (and outlives a move between folders).
        var unused = SourceModel.Instance.Diagnostics
            .Where(d => d.Id == "CS8019" && Path.IsPathRooted(d.Location.SourceTree?.FilePath))
            .Select(d => d.Location.GetLineSpan()).Select(s => $"{s.Path}:{s.StartLinePosition.Line + 1}").ToList();
        Assert.True(unused.Count == 0, "unused using directives:\n" + string.Join("\n", unused));
    }

    [Fact]
    public void Folders_have_no_dependency_cycle()
    {
        var edges = SourceModel.Instance.FolderDependencies;
        var cycle = FindCycle(edges.ToDictionary(e => e.Key, e => (IEnumerable<string>)e.Value.Keys));
        Assert.True(cycle is null, cycle is null ? "" :
            "folder cycle " + string.Join(" -> ", cycle) + ":\n" + string.Join("\n",
                cycle.Zip(cycle.Skip(1), (a, b) => $"  {a} -> {b}: {edges[a][b]}"))
            + "\nall edges:\n" + string.Join("\n", edges.SelectMany(e => e.Value.Select(d => $"  {e.Key} -> {d.Key}: {d.Value}"))));
    }

    [Fact]
    public void Design_doc_lists_the_real_folder_dependencies()
    {
        var actual = DependencyList(SourceModel.Instance.FolderDependencies);
        var design = File.ReadAllText(Path.Combine(SourceModel.Instance.Root, "docs", "design.md"));
        var listed = Between(design, "<!-- folder-dependencies -->", "<!-- /folder-dependencies -->");
        Assert.True(listed.Trim().Trim('`').Trim() == actual,
            $"docs/design.md's folder-dependencies block is stale; the source says:\n{actual}");
    }

    [Fact]
    public void Orchestration_methods_are_at_most_80_lines()
    {
        var tooLong = SourceModel.Instance.MethodLengths()
            .Where(m => ShortMethodFolders.Contains(m.Folder) && m.Lines > MaxMethodLines)
            .Select(m => $"{m.Where}: {m.Lines} lines").ToList();
        Assert.True(tooLong.Count == 0, string.Join("\n", tooLong));
    }

    /// <summary>One line per folder, "Folder: what it uses", in dependency order (a folder after what it uses).</summary>
    internal static string DependencyList(IReadOnlyDictionary<string, Dictionary<string, string>> edges)
    {
        var order = new List<string>();
        var remaining = edges.Keys.ToHashSet();
        while (remaining.Count > 0)
        {
            var ready = remaining.Where(f => edges[f].Keys.All(d => !remaining.Contains(d))).Order(StringComparer.Ordinal).ToList();
            if (ready.Count == 0) ready = remaining.Order(StringComparer.Ordinal).Take(1).ToList();
            order.AddRange(ready);
            remaining.ExceptWith(ready);
        }
        return string.Join("\n", order.Select(f =>
            $"{f}: {(edges[f].Count == 0 ? "-" : string.Join(", ", edges[f].Keys.OrderBy(order.IndexOf)))}"));
    }

    private static List<string>? FindCycle(Dictionary<string, IEnumerable<string>> edges)
    {
        var state = new Dictionary<string, int>();
        var path = new List<string>();
        List<string>? Visit(string node)
        {
            state[node] = 1;
            path.Add(node);
            foreach (var next in edges.GetValueOrDefault(node, []))
            {
                if (state.GetValueOrDefault(next) == 1) return path.Skip(path.IndexOf(next)).Append(next).ToList();
                if (state.GetValueOrDefault(next) == 0 && Visit(next) is { } found) return found;
            }
            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }
        foreach (var node in edges.Keys.Order(StringComparer.Ordinal))
            if (state.GetValueOrDefault(node) == 0 && Visit(node) is { } cycle) return cycle;
        return null;
    }

    private static string Between(string text, string start, string end)
    {
        var i = text.IndexOf(start, StringComparison.Ordinal);
        var j = text.IndexOf(end, StringComparison.Ordinal);
        Assert.True(i >= 0 && j > i, $"docs/design.md needs the block {start} ... {end}");
        return text[(i + start.Length)..j];
    }
}
