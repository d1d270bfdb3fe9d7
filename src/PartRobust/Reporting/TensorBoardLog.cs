using PartRobust.Training;
using TorchSharp;
using TorchSharp.Modules;

namespace PartRobust.Reporting;

/// <summary>
/// One TensorBoard run: a folder of event files (TorchSharp's <see cref="SummaryWriter"/>) with a model's per-epoch
/// training numbers and figures. A training run keeps one per model in sibling folders, so <c>tensorboard --logdir</c>
/// draws the models' curves in the same charts. Accuracies and mIoU are fractions, as in report.json; the step is the
/// epoch, counted over both stages from 1.
/// </summary>
internal sealed class TensorBoardLog : IEpochObserver
{
    /// <summary>Tag of the mean training loss.</summary>
    internal const string TrainLossTag = "loss/train";
    /// <summary>Tag of the training accuracy (on the adversarial images in an adversarial stage).</summary>
    internal const string TrainAccuracyTag = "accuracy/train";
    /// <summary>Tag of the clean validation accuracy.</summary>
    internal const string ValAccuracyTag = "accuracy/val";
    /// <summary>Tag of the validation accuracy under the training attack (adversarial stage).</summary>
    internal const string ValRobustAccuracyTag = "accuracy/val_robust";
    /// <summary>Tag of the validation part mIoU (part models).</summary>
    internal const string ValPartMiouTag = "part_miou/val";
    /// <summary>Tag of the learning rate at the end of the epoch.</summary>
    internal const string LearningRateTag = "learning_rate";

    readonly SummaryWriter writer;

    /// <summary>Starts a new event file in <paramref name="folder"/> (created if missing); earlier files there are kept.</summary>
    public TensorBoardLog(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        writer = torch.utils.tensorboard.SummaryWriter(folder);
    }

    /// <summary>The folder of the event files.</summary>
    public string Folder => writer.LogDir;

    /// <summary>Writes the epoch's loss, accuracies, validation robust accuracy and part mIoU (when measured) and learning rate.</summary>
    public void EpochRecorded(EpochRecord epoch)
    {
        ArgumentNullException.ThrowIfNull(epoch);
        int step = epoch.Epoch;
        Scalar(TrainLossTag, epoch.TrainLoss, step);
        Scalar(TrainAccuracyTag, epoch.TrainAccuracy, step);
        Scalar(ValAccuracyTag, epoch.ValAccuracy, step);
        if (epoch.ValRobustAccuracy is { } robust) Scalar(ValRobustAccuracyTag, robust, step);
        if (epoch.ValPartMiou is { } miou) Scalar(ValPartMiouTag, miou, step);
        Scalar(LearningRateTag, epoch.LearningRate, step);
    }

    /// <summary>Writes the PNG file <paramref name="pngFile"/> as image <paramref name="tag"/> at <paramref name="step"/>.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    public void AddFigure(string tag, string pngFile, int step)
    {
        ArgumentException.ThrowIfNullOrEmpty(tag);
        if (!File.Exists(pngFile)) throw new FileNotFoundException($"{pngFile}: figure not found", pngFile);
        writer.add_img(tag, pngFile, step);
    }

    void Scalar(string tag, double value, int step) => writer.add_scalar(tag, (float)value, step);
}
