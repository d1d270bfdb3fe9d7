using System.Text.Json.Serialization;

namespace PartRobust.Reporting;

/// <summary>The outcome of a gradient-masking check, as report.json stores it (<c>pass</c>, <c>warn</c>).</summary>
[JsonConverter(typeof(SnakeCaseEnumConverter<MaskingCheckStatus>))]
public enum MaskingCheckStatus
{
    /// <summary>No sign of gradient masking.</summary>
    Pass,
    /// <summary>A sign of gradient masking: the robust accuracy may be overstated.</summary>
    Warn,
}
