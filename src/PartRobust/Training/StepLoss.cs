using PartRobust.Models;
using static TorchSharp.torch;

namespace PartRobust.Training;

/// <summary>The loss of one training step, with the class logits the training accuracy is counted on.</summary>
internal static class StepLoss
{
    /// <summary>The joint loss (<see cref="PartLoss"/>) on one batch, with the class logits for the accuracy.</summary>
    public static (Tensor ClassLogits, Tensor Loss) Joint(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y, Tensor masks, TrainOptions options)
    {
        if (model is IPartModel part)
        {
            var (c, p) = part.ForwardWithParts(x);
            return (c, PartLoss.Compute(c, y, p, masks, options.SegWeight, options.LabelSmoothing));
        }
        var logits = model.call(x);
        return (logits, PartLoss.Compute(logits, y, null, null, 0, options.LabelSmoothing));
    }

    /// <summary>
    /// <see cref="TradesLoss"/> on one forward pass of [x; x′] in train mode (batch-norm statistics over both halves, as the
    /// reference's concatenated batch), with the adversarial half's class logits for the training accuracy (as the reference).
    /// </summary>
    public static (Tensor ClassLogits, Tensor Loss) Trades(nn.Module<Tensor, Tensor> model, Tensor x, Tensor xAdv, Tensor y, Tensor masks, TrainOptions options)
    {
        long n = x.shape[0];
        var both = cat(new[] { x, xAdv }, 0);
        Tensor logits, loss;
        if (model is IPartModel part && options.SegWeight > 0)
        {
            var (c, p) = part.ForwardWithParts(both);
            logits = c;
            loss = TradesLoss.Compute(c.narrow(0, 0, n), c.narrow(0, n, n), y, p.narrow(0, n, n), masks,
                options.SegWeight, options.TradesBeta, options.LabelSmoothing);
        }
        else
        {
            logits = model.call(both);
            loss = TradesLoss.Compute(logits.narrow(0, 0, n), logits.narrow(0, n, n), y, null, null,
                options.SegWeight, options.TradesBeta, options.LabelSmoothing);
        }
        return (logits.narrow(0, n, n), loss);
    }
}
