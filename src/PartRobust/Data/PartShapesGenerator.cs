using System.Diagnostics;

namespace PartRobust.Data;

/// <summary>
/// PartShapes: procedural images with per-pixel part labels, shaped like PartImageNet (same classes, parts and label
/// numbering). Each object is a class-specific arrangement of textured primitives under a random pose, with clutter,
/// occlusion, truncation, noise and blur; texture and background families are spuriously correlated with the class.
/// Generation is deterministic in (options, split, index, variant) and runs in parallel.
/// </summary>
public sealed class PartShapesGenerator
{
    const int NumFamilies = 11; // Stripes..Speckle; Solid is reserved for OnlyForeground's plain background

    readonly int[] _fullClass;   // class label → index among PartImageNet's 11 classes
    readonly int[] _partOffset;  // class label → seg label of its first part minus 1

    /// <summary>The (validated) options.</summary>
    public PartShapesOptions Options { get; }

    /// <summary>The taxonomy of generated datasets (all 11 classes or the selected subset, parts renumbered).</summary>
    public PartTaxonomy Taxonomy { get; }

    /// <summary>Creates a generator; throws <see cref="ArgumentException"/> for invalid options.</summary>
    public PartShapesGenerator(PartShapesOptions? options = null)
    {
        Options = options ?? new PartShapesOptions();
        Options.Validate();
        Taxonomy = Options.Classes is null ? PartImageNetTaxonomy.All : PartImageNetTaxonomy.Select(Options.Classes);
        _fullClass = PartImageNetTaxonomy.FullClassIndices(Taxonomy);
        _partOffset = new int[Taxonomy.NumClasses];
        for (int c = 0, k = 0; c < _partOffset.Length; c++)
        {
            _partOffset[c] = k;
            k += PartImageNetTaxonomy.PartsOf(Taxonomy.ClassNames[c]).Count;
        }
    }

    /// <summary>The texture family a class prefers (fixed per PartImageNet class, independent of the subset).</summary>
    public static PartShapesPattern PreferredTexture(string className) =>
        (PartShapesPattern)(1 + PartImageNetTaxonomy.IndexOf(className));

    /// <summary>The background family a class prefers (always different from its preferred texture family).</summary>
    public static PartShapesPattern PreferredBackground(string className) =>
        (PartShapesPattern)(1 + (PartImageNetTaxonomy.IndexOf(className) + 4) % NumFamilies);

    /// <summary>
    /// Generates <paramref name="count"/> samples. Class labels cycle 0,1,..,C−1 so every class gets ⌊count/C⌋ samples
    /// and the remainder goes to the first classes (also any prefix is balanced).
    /// </summary>
    public PartDataset Generate(PartShapesSplit split, int count, PartShapesVariant variant = PartShapesVariant.Standard) =>
        Generate(split, count, variant, out _);

    /// <summary>As <see cref="Generate(PartShapesSplit, int, PartShapesVariant)"/>, also returning what was chosen per sample.</summary>
    public PartDataset Generate(PartShapesSplit split, int count, PartShapesVariant variant, out IReadOnlyList<PartShapesSample> samples)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        int s = Options.ImageSize, pixels = s * s;
        var images = new byte[(long)count * 3 * pixels];
        var masks = new byte[(long)count * pixels];
        var labels = new long[count];
        var info = new PartShapesSample[count];
        Parallel.For(0, count, i =>
        {
            var canvas = new PartShapesCanvas(s);
            info[i] = Render(canvas, split, i, variant);
            labels[i] = info[i].Label;
            Quantise(canvas.Rgb, images.AsSpan((int)((long)i * 3 * pixels), 3 * pixels));
            canvas.Mask.CopyTo(masks.AsSpan(i * pixels, pixels));
        });
        samples = info;
        return PartDatasetBytes.ToDataset(images, masks, labels, s, Taxonomy);
    }

    /// <summary>Generates <paramref name="count"/> training images and returns the measured images per second.</summary>
    public double MeasureThroughput(int count = 2000)
    {
        var sw = Stopwatch.StartNew();
        using var ds = Generate(PartShapesSplit.Train, count);
        return count / sw.Elapsed.TotalSeconds;
    }

    static void Quantise(float[] rgb, Span<byte> dst)
    {
        for (int j = 0; j < rgb.Length; j++) dst[j] = (byte)Math.Clamp(MathF.Round(rgb[j] * 255f), 0f, 255f);
    }

    PartShapesSample Render(PartShapesCanvas canvas, PartShapesSplit split, int index, PartShapesVariant variant)
    {
        var o = Options;
        var rng = new PartShapesRandom(PartShapesRandom.Mix(o.Seed, (ulong)split + 1, (ulong)variant, (ulong)index));
        int s = o.ImageSize, label = index % Taxonomy.NumClasses, full = _fullClass[label];
        string cls = PartImageNetTaxonomy.ClassNames[full];

        // The class whose look the texture / background carries (null = a random family and hue).
        // (The draws stay in this order: the easy preset reproduces the generator's earlier datasets byte for byte.)
        string? textureClass = rng.Chance(o.TextureCorrelation) ? cls : null;
        var texture = textureClass is null ? RandomFamily(rng) : PreferredTexture(cls);
        string? backgroundClass = rng.Chance(o.BackgroundCorrelation) ? cls : null;
        var background = backgroundClass is null ? RandomFamily(rng) : PreferredBackground(cls);
        bool drawObject = true, clutter = true;
        switch (variant)
        {
            case PartShapesVariant.CueConflict:
                // Shape against texture only: the background is drawn as if uncorrelated, so it votes for neither class.
                textureClass = OtherClass(full, rng); texture = PreferredTexture(textureClass);
                backgroundClass = null; background = RandomFamily(rng);
                break;
            case PartShapesVariant.MixedRandomBackground: backgroundClass = OtherClass(full, rng); background = PreferredBackground(backgroundClass); break;
            case PartShapesVariant.OnlyForeground: background = PartShapesPattern.Solid; backgroundClass = null; clutter = false; break;
            case PartShapesVariant.OnlyBackground: backgroundClass = cls; background = PreferredBackground(cls); drawObject = false; texture = PartShapesPattern.Solid; break;
        }
        double? textureHue = o.TextureHues && textureClass is not null ? PreferredTextureHue(textureClass) : null;
        double? backgroundHue = o.BackgroundHues && backgroundClass is not null ? PreferredBackgroundHue(backgroundClass) : null;

        var (bgA, bgB) = RandomColors(rng, 0.08, 0.22, backgroundHue, o.HueSpread); // calmer than parts, so objects stay findable
        canvas.FillAll(new PartShapesPaintField(background, bgA, bgB, rng, s, 1.8));
        if (clutter)
        {
            int n = rng.Next(o.MaxDistractors + 1);
            for (int d = 0; d < n; d++)
                Distractor(canvas, rng, rng.Uniform(0, s), rng.Uniform(0, s), s * rng.Uniform(0.07, 0.2));
        }

        var paints = new List<PartShapesPaint>();
        bool occluded = false, truncated = false;
        if (drawObject)
        {
            double unit = s * o.ObjectScale * rng.Uniform(0.88, 1.12), cx = s * (0.5 + rng.Uniform(-0.1, 0.1)), cy = s * (0.5 + rng.Uniform(-0.1, 0.1));
            if (rng.Chance(o.TruncationProbability))
            {
                truncated = true;
                double a = rng.Uniform(0, 2 * Math.PI), shift = s * rng.Uniform(0.22, 0.32);
                cx += shift * Math.Cos(a); cy += shift * Math.Sin(a);
            }
            var pose = new PartShapesPose(cx, cy, unit * rng.Uniform(0.9, 1.1), unit * rng.Uniform(0.9, 1.1),
                rng.Uniform(-0.35, 0.35), rng.Chance(0.5));
            int numParts = PartImageNetTaxonomy.PartsOf(cls).Count;
            var fields = new PartShapesPaintField[numParts];
            for (int p = 0; p < numParts; p++)
            {
                var (a, b) = PartColors(rng, (Value(bgA) + Value(bgB)) / 2, o.ForegroundSeparation, textureHue, o.HueSpread);
                fields[p] = new PartShapesPaintField(texture, a, b, rng, s, 1.0);
                paints.Add(new PartShapesPaint(_partOffset[label] + p + 1, a, b));
            }
            // Half the minimum part width in the layout's local units (the pose scales them by about `unit` pixels).
            var builder = new PartShapesLayouts.Builder(full, rng, o.MinPartWidth / 2 / (unit * 0.9));
            PartShapesLayouts.Draw(full, builder);
            foreach (var (shape, part) in builder.Items)
                canvas.Fill(shape, pose, fields[part], (byte)(_partOffset[label] + part + 1));
            if (variant != PartShapesVariant.OnlyForeground && rng.Chance(o.OcclusionProbability))
            {
                occluded = true;
                double a = rng.Uniform(0, 2 * Math.PI), r = unit * rng.Uniform(0.3, 0.8);
                Distractor(canvas, rng, cx + r * Math.Cos(a), cy + r * Math.Sin(a), s * rng.Uniform(0.12, 0.2));
            }
        }

        bool blurred = rng.Chance(o.BlurProbability);
        if (blurred) canvas.Blur();
        if (o.NoiseStd > 0)
            for (int j = 0; j < canvas.Rgb.Length; j++) canvas.Rgb[j] += (float)(o.NoiseStd * rng.Normal());

        return new PartShapesSample(index, label, drawObject ? label : -1, texture, background, occluded, truncated, blurred, paints);
    }

    static PartShapesPattern RandomFamily(PartShapesRandom rng) => (PartShapesPattern)(1 + rng.Next(NumFamilies));

    /// <summary>A PartImageNet class name other than <paramref name="full"/>, from the selected classes when possible.</summary>
    string OtherClass(int full, PartShapesRandom rng)
    {
        var pool = _fullClass.Length > 1 ? _fullClass : Enumerable.Range(0, PartImageNetTaxonomy.ClassNames.Count).ToArray();
        int pick = rng.Next(pool.Length - 1);
        var others = pool.Where(c => c != full).ToArray();
        return PartImageNetTaxonomy.ClassNames[others[pick]];
    }

    /// <summary>The hue (0–1) that class's preferred texture carries when <see cref="PartShapesOptions.TextureHues"/> is on.</summary>
    public static double PreferredTextureHue(string className) => PartImageNetTaxonomy.IndexOf(className) / (double)NumFamilies;

    /// <summary>The hue that class's preferred background carries when <see cref="PartShapesOptions.BackgroundHues"/> is on (half a step from the texture hues).</summary>
    public static double PreferredBackgroundHue(string className) => (PartImageNetTaxonomy.IndexOf(className) + 0.5) / NumFamilies;

    /// <summary>The first hue of a colour pair: <paramref name="classHue"/> ± <paramref name="spread"/>, or uniform when null (one draw either way).</summary>
    static double Hue(PartShapesRandom rng, double? classHue, double spread) =>
        classHue is { } c ? c + (2 * rng.NextDouble() - 1) * spread : rng.NextDouble();

    /// <summary>Two colours: an HSV colour (random hue, or near <paramref name="classHue"/>) and a shifted second one.</summary>
    static (PartShapesColor, PartShapesColor) RandomColors(PartShapesRandom rng, double minContrast = 0.2, double maxContrast = 0.4, double? classHue = null, double spread = 0)
    {
        double h = Hue(rng, classHue, spread), sat = rng.Uniform(0.2, 0.9), v = rng.Uniform(0.25, 0.95);
        double v2 = v > 0.6 ? v - rng.Uniform(minContrast, maxContrast) : v + rng.Uniform(minContrast, maxContrast);
        return (Hsv(h, sat, v), Hsv(h + rng.Uniform(-0.1, 0.1), sat * rng.Uniform(0.6, 1.0), v2));
    }

    /// <summary>
    /// Colours for a part whose brightness (HSV value) stays at least <paramref name="separation"/> away from the
    /// background's, on the side with more room, so the object's silhouette is a real signal rather than one a
    /// perturbation of a few /255 can erase. Texture contrast within the part points away from the background too.
    /// </summary>
    static (PartShapesColor, PartShapesColor) PartColors(PartShapesRandom rng, double backgroundValue, double separation, double? classHue, double spread)
    {
        double h = Hue(rng, classHue, spread), sat = classHue is null ? rng.Uniform(0.2, 0.9) : rng.Uniform(0.55, 0.9);
        bool brighter = backgroundValue < 0.5;
        double v = brighter ? rng.Uniform(Math.Min(0.95, backgroundValue + separation), 1.0)
                            : rng.Uniform(0.0, Math.Max(0.05, backgroundValue - separation));
        double c = rng.Uniform(0.15, 0.3);
        double v2 = brighter ? Math.Min(1.0, v + c) : Math.Max(0.0, v - c);
        if (Math.Abs(v2 - v) < 0.1) v2 = brighter ? v - c : v + c; // no room on the far side: keep a visible texture
        return (Hsv(h, sat, v), Hsv(h + rng.Uniform(-0.1, 0.1), sat * rng.Uniform(0.6, 1.0), v2));
    }

    static double Value(PartShapesColor c) => Math.Max(c.R, Math.Max(c.G, c.B));

    static PartShapesColor Hsv(double h, double s, double v)
    {
        h = (h % 1 + 1) % 1 * 6;
        int i = (int)h;
        double f = h - i, p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
        var (r, g, b) = i switch { 0 => (v, t, p), 1 => (q, v, p), 2 => (p, v, t), 3 => (p, q, v), 4 => (t, p, v), _ => (v, p, q) };
        return new PartShapesColor((float)r, (float)g, (float)b);
    }

    /// <summary>An unlabelled random shape (blob, polygon or stroke) with a random texture, centred at (cx, cy).</summary>
    static void Distractor(PartShapesCanvas canvas, PartShapesRandom rng, double cx, double cy, double radius)
    {
        var (a, b) = RandomColors(rng);
        var paint = new PartShapesPaintField(RandomFamily(rng), a, b, rng, canvas.Size, 1.0);
        PartShapesPrimitive shape = rng.Next(3) switch
        {
            0 => new EllipsePrimitive(0, 0, rng.Uniform(0.5, 1), rng.Uniform(0.5, 1)),
            1 => new PolygonPrimitive(Enumerable.Range(0, 3 + rng.Next(3)).Select(k =>
            {
                double ang = 2 * Math.PI * (k + rng.Uniform(-0.3, 0.3)) / 5, r = rng.Uniform(0.5, 1);
                return (r * Math.Cos(ang), r * Math.Sin(ang));
            }).OrderBy(p => Math.Atan2(p.Item2, p.Item1)).ToArray()),
            _ => new CapsulePrimitive(-1, 0, 1, rng.Uniform(-0.4, 0.4), rng.Uniform(0.15, 0.3), rng.Uniform(0.15, 0.3)),
        };
        var pose = new PartShapesPose(cx, cy, radius, radius, rng.Uniform(0, 2 * Math.PI), false);
        canvas.Fill(shape, pose, paint, 0);
    }
}
