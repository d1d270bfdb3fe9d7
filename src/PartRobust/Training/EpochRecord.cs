namespace PartRobust.Training;

/// <summary>One epoch of training.</summary>
public sealed record EpochRecord
{
    /// <summary>Epoch number, counted over both stages from 1.</summary>
    public required int Epoch { get; init; }
    /// <summary><c>clean</c>, or the adversarial recipe: <c>pgd</c> or <c>trades</c>.</summary>
    public required string Stage { get; init; }
    /// <summary>Mean training loss.</summary>
    public required double TrainLoss { get; init; }
    /// <summary>Training accuracy on the images trained on (adversarial ones in the pgd stage).</summary>
    public required double TrainAccuracy { get; init; }
    /// <summary>Clean validation accuracy.</summary>
    public required double ValAccuracy { get; init; }
    /// <summary>Validation accuracy under the training attack, when measured.</summary>
    public double? ValRobustAccuracy { get; init; }
    /// <summary>Part mean IoU on the validation set after the epoch (part models only).</summary>
    public double? ValPartMiou { get; init; }
    /// <summary>Learning rate at the end of the epoch.</summary>
    public required double LearningRate { get; init; }
    /// <summary>Seconds the epoch took.</summary>
    public required double Seconds { get; init; }
}
