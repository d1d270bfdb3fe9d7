using PartRobust.Distributed;
using static TorchSharp.torch;

namespace PartRobust.Attacks;

/// <summary>A perturbation budget: ‖δ‖ ≤ ε in <see cref="Norm"/>, and x + δ ∈ [0,1].</summary>
/// <param name="Norm">The norm.</param>
/// <param name="Epsilon">The radius ε ≥ 0.</param>
public sealed record ThreatModel(Norm Norm, double Epsilon)
{
    /// <summary>The radius ε ≥ 0; every attack's ε is checked here.</summary>
    /// <exception cref="ArgumentOutOfRangeException">ε is negative or NaN.</exception>
    public double Epsilon { get; init => field = Checked(value); } = Checked(Epsilon);

    static double Checked(double epsilon) =>
        epsilon >= 0 ? epsilon : throw new ArgumentOutOfRangeException(nameof(epsilon), "epsilon must be ≥ 0");

    /// <summary>Slack allowed for float32 round-off when checking a result.</summary>
    public const double Tolerance = 1e-5;

    /// <summary>
    /// A warning when the budget cannot mean what the user likely meant, else null: an L∞ radius ≥ 1 on images in [0,1]
    /// reaches every image from every other, so robust accuracy says nothing about the model.
    /// </summary>
    public string? Warning => Norm == Norm.Linf && Epsilon >= 1
        ? $"L∞ ε = {Epsilon:G4} ≥ 1 on images in [0,1]: every image is reachable from every other, so robust accuracy will be about 0 (did you mean {Epsilon:G4}/255?)"
        : null;

    /// <summary>Projects <paramref name="delta"/> in place onto the ε-ball and so that x + δ ∈ [0,1].</summary>
    public void ProjectInPlace(Tensor x, Tensor delta)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        if (Norm == Norm.Linf)
        {
            delta.clamp_(-Epsilon, Epsilon);
        }
        else
        {
            var norms = delta.flatten(1).norm(1, keepdim: true).clamp_min(1e-12);
            var factor = (Epsilon / norms).clamp_max(1.0);
            delta.mul_(factor.view(-1, 1, 1, 1));
        }
        // Clipping to the box after the ball keeps both: the box clip only shrinks |δ_i|.
        delta.copy_((x + delta).clamp_(0.0, 1.0).sub_(x));
    }

    /// <summary>
    /// A uniform random start in the ε-ball (L∞) or a random direction with random radius (L2). With
    /// <paramref name="shard"/>, <paramref name="x"/> is that block of a larger batch (data-parallel training): the start
    /// is drawn for the whole batch and sliced, so the generator moves on as for the whole batch and the rows start where
    /// one process's would.
    /// </summary>
    public Tensor RandomStart(Tensor x, Generator? generator, BatchShard? shard = null)
    {
        using var scope = NewDisposeScope();
        var shape = (long[])x.shape.Clone();
        if (shard is { } s)
        {
            if (s.Count != shape[0]) throw new ArgumentException($"a random start for {shape[0]} rows, but the shard has {s.Count}");
            shape[0] = s.Total;
        }
        Tensor delta;
        if (Norm == Norm.Linf)
        {
            delta = rand(shape, dtype: x.dtype, device: x.device, generator: generator).mul_(2 * Epsilon).sub_(Epsilon);
        }
        else
        {
            var g = randn(shape, dtype: x.dtype, device: x.device, generator: generator);
            var n = g.flatten(1).norm(1, keepdim: true).clamp_min(1e-12).view(-1, 1, 1, 1);
            var r = rand(new long[] { shape[0], 1, 1, 1 }, dtype: x.dtype, device: x.device, generator: generator);
            delta = g.div_(n).mul_(r).mul_(Epsilon);
        }
        if (shard is { } rows) delta = rows.Rows(delta);
        ProjectInPlace(x, delta);
        return delta.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Throws if <paramref name="adversarial"/> leaves the ε-ball around <paramref name="x"/> or the [0,1] box.
    /// Every attack result is checked with this before a number is reported from it.
    /// </summary>
    public void Verify(Tensor x, Tensor adversarial)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        double min = adversarial.min().item<float>(), max = adversarial.max().item<float>();
        if (min < -Tolerance || max > 1 + Tolerance || double.IsNaN(min) || double.IsNaN(max))
            throw new InvalidOperationException($"attack result leaves the [0,1] box (min {min}, max {max})");
        var d = (adversarial - x).flatten(1);
        double worst = (Norm == Norm.Linf ? d.abs().amax(1) : d.norm(1)).max().item<float>();
        if (worst > Epsilon + Tolerance * Math.Max(1, Epsilon))
            throw new InvalidOperationException($"attack result leaves the {Norm} ball: ‖δ‖ = {worst} > ε = {Epsilon}");
    }

    /// <summary>Parses ε given as a number or a fraction such as <c>8/255</c>.</summary>
    public static double ParseEpsilon(string text)
    {
        text = text.Trim();
        int slash = text.IndexOf('/');
        double value;
        if (slash >= 0)
        {
            if (!double.TryParse(text[..slash], System.Globalization.CultureInfo.InvariantCulture, out double num) ||
                !double.TryParse(text[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture, out double den) || den == 0)
                throw new FormatException($"'{text}' is not a number or a fraction like 8/255");
            value = num / den;
        }
        else if (!double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out value))
        {
            throw new FormatException($"'{text}' is not a number or a fraction like 8/255");
        }
        if (double.IsNaN(value) || double.IsInfinity(value) || value < 0)
            throw new FormatException($"'{text}' must be a finite number ≥ 0");
        return value;
    }
}
