using ScottPlot;
using SkiaSharp;

namespace PartRobust.Reporting;

/// <summary>
/// The fonts used by every figure: DejaVu Sans (regular and bold), embedded in the assembly so text renders on machines
/// without system fonts. <see cref="EnsureRegistered"/> makes ScottPlot resolve <see cref="FamilyName"/> to the
/// embedded typefaces and makes it ScottPlot's default font; <see cref="Regular"/> and <see cref="Bold"/> are for
/// drawing with SkiaSharp directly.
/// </summary>
public static class ReportFonts
{
    /// <summary>The family name the embedded font registers under.</summary>
    public const string FamilyName = "DejaVu Sans";

    private const string RegularResource = "PartRobust.Fonts.DejaVuSans.ttf";
    private const string BoldResource = "PartRobust.Fonts.DejaVuSans-Bold.ttf";

    private static readonly Lazy<SKTypeface> LazyRegular = new(() => LoadTypeface(RegularResource));
    private static readonly Lazy<SKTypeface> LazyBold = new(() => LoadTypeface(BoldResource));
    private static readonly object Gate = new();
    private static bool registered;

    /// <summary>The embedded DejaVu Sans regular typeface.</summary>
    public static SKTypeface Regular => LazyRegular.Value;

    /// <summary>The embedded DejaVu Sans bold typeface.</summary>
    public static SKTypeface Bold => LazyBold.Value;

    /// <summary>
    /// Registers the embedded font with ScottPlot (once per process; later calls do nothing) and sets it as
    /// ScottPlot's default font. Safe to call from several threads.
    /// </summary>
    public static void EnsureRegistered()
    {
        lock (Gate)
        {
            if (registered) return;
            // First in the list, so the embedded typeface wins over a system font of the same name.
            ScottPlot.Fonts.FontResolvers.Insert(0, new EmbeddedFontResolver());
            ScottPlot.Fonts.Default = FamilyName;
            registered = true;
        }
    }

    /// <summary>Registers the font and sets it on every text element of <paramref name="plot"/>.</summary>
    /// <param name="plot">The plot to style.</param>
    public static void Apply(Plot plot)
    {
        ArgumentNullException.ThrowIfNull(plot);
        EnsureRegistered();
        plot.Font.Set(FamilyName);
    }

    private static SKTypeface LoadTypeface(string resource)
    {
        using Stream stream = typeof(ReportFonts).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded font '{resource}' is missing from {typeof(ReportFonts).Assembly.GetName().Name}.");
        // SKTypeface.FromStream reads the whole stream; copy to memory so the data outlives the resource stream.
        var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        buffer.Position = 0;
        return SKTypeface.FromStream(buffer)
            ?? throw new InvalidOperationException($"Embedded font '{resource}' could not be loaded by SkiaSharp.");
    }

    /// <summary>Resolves <see cref="FamilyName"/> (any style) to the embedded regular or bold typeface.</summary>
    private sealed class EmbeddedFontResolver : IFontResolver
    {
        public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing width)
        {
            if (!string.Equals(fontName, FamilyName, StringComparison.OrdinalIgnoreCase)) return null;
            return (int)weight >= 600 ? Bold : Regular;
        }

        public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic)
        {
            if (!string.Equals(fontName, FamilyName, StringComparison.OrdinalIgnoreCase)) return null;
            return bold ? Bold : Regular;
        }
    }
}
