namespace PartRobust.Training;

/// <summary>Linear warm-up then cosine decay to zero, evaluated per iteration.</summary>
/// <param name="PeakRate">Learning rate at the end of warm-up.</param>
/// <param name="TotalSteps">Iterations of the stage.</param>
/// <param name="WarmupSteps">Iterations of linear warm-up.</param>
public sealed record CosineSchedule(double PeakRate, int TotalSteps, int WarmupSteps)
{
    /// <summary>The learning rate for iteration <paramref name="step"/> (0-based).</summary>
    public double RateAt(int step)
    {
        if (WarmupSteps > 0 && step < WarmupSteps) return PeakRate * (step + 1) / WarmupSteps;
        int span = Math.Max(1, TotalSteps - WarmupSteps);
        double t = Math.Clamp((double)(step - WarmupSteps) / span, 0, 1);
        return PeakRate * 0.5 * (1 + Math.Cos(Math.PI * t));
    }
}
