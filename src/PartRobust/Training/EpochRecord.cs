using System.Text.Json.Serialization;

namespace PartRobust.Training;

/// <summary>One epoch of training.</summary>
public sealed record EpochRecord
{
    /// <summary>Epoch number, counted over both stages from 1.</summary>
    [JsonPropertyName("epoch")] public required int Epoch { get; init; }
    /// <summary><c>clean</c>, or the adversarial recipe: <c>pgd</c> or <c>trades</c>.</summary>
    [JsonPropertyName("stage")] public required string Stage { get; init; }
    /// <summary>Mean training loss.</summary>
    [JsonPropertyName("train_loss")] public required double TrainLoss { get; init; }
    /// <summary>Training accuracy on the images trained on (adversarial ones in the pgd stage).</summary>
    [JsonPropertyName("train_accuracy")] public required double TrainAccuracy { get; init; }
    /// <summary>Clean validation accuracy.</summary>
    [JsonPropertyName("val_accuracy")] public required double ValAccuracy { get; init; }
    /// <summary>Validation accuracy under the training attack, when measured.</summary>
    [JsonPropertyName("val_robust_accuracy")] public double? ValRobustAccuracy { get; init; }
    /// <summary>Part mean IoU on the validation set after the epoch (part models only).</summary>
    [JsonPropertyName("val_part_miou")] public double? ValPartMiou { get; init; }
    /// <summary>Learning rate at the end of the epoch.</summary>
    [JsonPropertyName("learning_rate")] public required double LearningRate { get; init; }
    /// <summary>Seconds the epoch took.</summary>
    [JsonPropertyName("seconds")] public required double Seconds { get; init; }
}
