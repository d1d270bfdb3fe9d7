using static TorchSharp.torch;

namespace PartRobust.Attacks;

/// <summary>
/// Per-point bookkeeping across the restarts of an attack whose restarts differ in more than their random start (the
/// part attacks: a new guide or a new adversarial mask each time): a misclassified result wins, else the result with
/// the highest CE(class, true label), as the authors' <c>fin_losses &gt;= worst_losses</c>. Points misclassified on the
/// clean image are never attacked and stay unchanged.
/// </summary>
internal sealed class RestartTracker
{
    readonly Tensor labels, bestLoss, fooled;

    /// <summary>Per point the image to return so far.</summary>
    public Tensor Best { get; }

    /// <summary>Starts from the clean images and their clean logits.</summary>
    public RestartTracker(Tensor images, Tensor labels, Tensor cleanLogits)
    {
        using var _ = no_grad();
        this.labels = labels;
        Best = images.clone();
        fooled = cleanLogits.argmax(1).ne(labels);
        bestLoss = full(images.shape[0], double.NegativeInfinity, dtype: ScalarType.Float32, device: images.device);
    }

    /// <summary>Points not misclassified by any result so far.</summary>
    public Tensor Robust() => fooled.logical_not();

    /// <summary>Offers the results <paramref name="adv"/> of one restart for the points <paramref name="index"/>.</summary>
    public void Offer(nn.Module<Tensor, Tensor> model, Tensor index, Tensor adv)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var y = labels.index_select(0, index);
        var logits = model.call(adv);
        var isFooled = logits.argmax(1).ne(y);
        var loss = nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.None).to_type(ScalarType.Float32);
        var oldFooled = fooled.index_select(0, index);
        var oldLoss = bestLoss.index_select(0, index);
        var better = isFooled.logical_and(oldFooled.logical_not())
            .logical_or(isFooled.eq(oldFooled).logical_and(loss.ge(oldLoss)));
        Best.index_copy_(0, index, where(better.view(-1, 1, 1, 1), adv, Best.index_select(0, index)));
        bestLoss.index_copy_(0, index, where(better, loss, oldLoss));
        fooled.index_copy_(0, index, oldFooled.logical_or(isFooled));
    }
}
