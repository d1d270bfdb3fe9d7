using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace PartRobust.Tests.Architecture;

/// <summary>The library's and the CLI's source, compiled once with Roslyn, read as folders (layers).</summary>
internal sealed class SourceModel
{
    private static readonly Lazy<SourceModel> Shared = new(() => new SourceModel(RepoRoot()));

    public static SourceModel Instance => Shared.Value;

    // What <ImplicitUsings>enable</ImplicitUsings> adds to every project (Directory.Build.props).
    private const string ImplicitUsings = "global using System; global using System.Collections.Generic; global using System.IO; "
        + "global using System.Linq; global using System.Net.Http; global using System.Threading; global using System.Threading.Tasks;";

    private static readonly CSharpParseOptions Options = new(LanguageVersion.Preview);

    public string Root { get; }
    public CSharpCompilation Compilation { get; }

    /// <summary>The compiler's diagnostics of the source, computed once for every test that reads them.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics => diagnostics.Value;

    /// <summary>Which folders each folder's code refers to (types, members, extension methods), with one example
    /// reference per edge so a failure can say where to look; measured once for every test that reads it.</summary>
    public IReadOnlyDictionary<string, Dictionary<string, string>> FolderDependencies => folderDependencies.Value;

    private readonly Lazy<IReadOnlyList<Diagnostic>> diagnostics;
    private readonly Lazy<IReadOnlyDictionary<string, Dictionary<string, string>>> folderDependencies;

    private SourceModel(string root)
    {
        Root = root;
        var files = SourceFiles(Path.Combine(root, "src", "PartRobust"))
            .Concat(SourceFiles(Path.Combine(root, "src", "PartRobust.Cli")));
        var trees = files.Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f),
            Options, path: f)).ToList();
        trees.Add(CSharpSyntaxTree.ParseText(ImplicitUsings, Options, path: "ImplicitUsings.g.cs"));
        Compilation = CSharpCompilation.Create("PartRobustSource", trees, References(),
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));
        diagnostics = new(() => Compilation.GetDiagnostics());
        folderDependencies = new(MeasureFolderDependencies);
    }

    private IEnumerable<SyntaxTree> SourceTrees => Compilation.SyntaxTrees.Where(t => Path.IsPathRooted(t.FilePath));

    /// <summary>The layer a file belongs to: the first folder below src/PartRobust, "PartRobust" for the files at its
    /// root, and "Cli" for the command.</summary>
    public string FolderOf(string path)
    {
        var relative = Path.GetRelativePath(Path.Combine(Root, "src"), path).Replace('\\', '/');
        if (relative.StartsWith("PartRobust.Cli/", StringComparison.Ordinal)) return "Cli";
        var parts = relative.Split('/');
        return parts.Length > 2 ? parts[1] : "PartRobust";
    }

    private IReadOnlyDictionary<string, Dictionary<string, string>> MeasureFolderDependencies()
    {
        var edges = new Dictionary<string, Dictionary<string, string>>();
        foreach (var tree in SourceTrees)
        {
            var from = FolderOf(tree.FilePath);
            if (!edges.ContainsKey(from)) edges[from] = new();
            var model = Compilation.GetSemanticModel(tree);
            foreach (var name in tree.GetRoot().DescendantNodes().OfType<SimpleNameSyntax>())
            {
                var symbol = model.GetSymbolInfo(name).Symbol ?? model.GetSymbolInfo(name).CandidateSymbols.FirstOrDefault();
                var declaringFile = DeclaringFile(symbol);
                if (declaringFile is null) continue;
                var to = FolderOf(declaringFile);
                if (to == from || edges[from].ContainsKey(to)) continue;
                var line = name.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
                edges[from][to] = $"{Path.GetRelativePath(Root, tree.FilePath)}:{line} uses {symbol!.Name}";
            }
        }
        return edges;
    }

    /// <summary>Every method, constructor, accessor, operator and local function with its length in lines (from its
    /// signature to its closing brace; doc comments and attributes excluded).</summary>
    public IEnumerable<(string Folder, string Where, int Lines)> MethodLengths()
    {
        foreach (var tree in SourceTrees)
        {
            foreach (var node in tree.GetRoot().DescendantNodes())
            {
                var (name, start) = node switch
                {
                    MethodDeclarationSyntax m => (m.Identifier.Text, m.Identifier.GetLocation()),
                    ConstructorDeclarationSyntax c => (c.Identifier.Text + " (constructor)", c.Identifier.GetLocation()),
                    LocalFunctionStatementSyntax l => (l.Identifier.Text + " (local function)", l.Identifier.GetLocation()),
                    AccessorDeclarationSyntax a => (a.Keyword.Text + " accessor", a.Keyword.GetLocation()),
                    OperatorDeclarationSyntax o => ("operator " + o.OperatorToken.Text, o.OperatorToken.GetLocation()),
                    _ => (null, null),
                };
                if (name is null) continue;
                var first = start!.GetLineSpan().StartLinePosition.Line;
                var last = node.GetLocation().GetLineSpan().EndLinePosition.Line;
                var type = node.Ancestors().OfType<BaseTypeDeclarationSyntax>().FirstOrDefault()?.Identifier.Text ?? "?";
                yield return (FolderOf(tree.FilePath), $"{Path.GetRelativePath(Root, tree.FilePath)}:{first + 1} {type}.{name}",
                    last - first + 1);
            }
        }
    }

    private string? DeclaringFile(ISymbol? symbol)
    {
        if (symbol is null or INamespaceSymbol) return null;
        if (symbol is IMethodSymbol { ReducedFrom: { } reduced }) symbol = reduced;
        // A member belongs to the folder of its outermost type; a type to the file that declares it.
        var type = symbol as INamedTypeSymbol ?? symbol.ContainingType;
        if (type is null) return null;
        while (type.ContainingType is not null) type = type.ContainingType;
        type = type.OriginalDefinition;
        var location = type.Locations.FirstOrDefault(l => l.IsInSource);
        return location?.SourceTree?.FilePath;
    }

    private static IEnumerable<string> SourceFiles(string directory) =>
        Directory.EnumerateFiles(directory, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Order(StringComparer.Ordinal);

    private static IEnumerable<MetadataReference> References()
    {
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var local = Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll");
        return platform.Concat(local)
            .Where(p => !Path.GetFileName(p).StartsWith("PartRobust", StringComparison.Ordinal))
            .GroupBy(Path.GetFileName).Select(g => g.First())
            .Select(p => { try { return MetadataReference.CreateFromFile(p); } catch { return null; } })
            .OfType<MetadataReference>();
    }

    private static string RepoRoot() => Path.GetFullPath(typeof(SourceModel).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == "RepoRoot").Value!);
}
