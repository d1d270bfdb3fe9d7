using static TorchSharp.torch;

namespace PartRobust.Models;

/// <summary>
/// A model that predicts part masks as well as classes. Its ordinary forward returns class logits only,
/// so attacks and evaluation treat every model alike; this gives both.
/// </summary>
public interface IPartModel
{
    /// <summary>Class logits [B,C] and part logits [B,K,H,W] for images [B,3,H,W] in [0,1].</summary>
    (Tensor ClassLogits, Tensor PartLogits) ForwardWithParts(Tensor images);
}
