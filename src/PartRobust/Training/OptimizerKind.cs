using System.Text.Json.Serialization;

namespace PartRobust.Training;

/// <summary>The optimizer of both training stages, as config files and <c>--optimizer</c> name it.</summary>
[JsonConverter(typeof(SnakeCaseEnumConverter<OptimizerKind>))]
public enum OptimizerKind
{
    /// <summary>AdamW, decoupled weight decay on weights only (<c>adamw</c>; the default).</summary>
    Adamw,
    /// <summary>SGD with momentum (<c>sgd</c>; the paper's, with learning rate 0.1).</summary>
    Sgd,
}
