using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PartRobust.Training;

/// <summary>
/// Contiguous stand-ins for an optimizer's state while it is saved or loaded. TorchSharp makes the state like the
/// parameters, channels-last for convolution weights (<see cref="Models.ModuleExtensions.ToChannelsLast"/>), where the
/// update is fastest, but its save_state_dict/load_state_dict copy raw bytes, which only contiguous tensors allow.
/// </summary>
public static class OptimizerStateLayout
{
    /// <summary>
    /// Replaces every non-contiguous state tensor with a contiguous copy until disposed; then copies the stand-ins'
    /// values (e.g. just loaded) back into the originals and puts the originals back.
    /// </summary>
    public static IDisposable Contiguous(OptimizerHelper optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        var swaps = new List<Swap>();
        foreach (var state in optimizer.state_dict().State)
        {
            switch (state)
            {
                case AdamW.State a:
                    swaps.Add(Swap.Of(() => a.exp_avg, t => a.exp_avg = t));
                    swaps.Add(Swap.Of(() => a.exp_avg_sq, t => a.exp_avg_sq = t));
                    swaps.Add(Swap.Of(() => a.max_exp_avg_sq, t => a.max_exp_avg_sq = t));
                    break;
                case SGD.State g:
                    swaps.Add(Swap.Of(() => g.momentum_buffer, t => g.momentum_buffer = t));
                    break;
                default:
                    throw new NotSupportedException($"optimizer state {state.GetType().Name}: only AdamW and SGD are used here");
            }
        }
        swaps.RemoveAll(s => s.Original is null);
        return new Restore(swaps);
    }

    sealed class Swap
    {
        public Tensor? Original { get; private init; }
        public required Func<Tensor?> Get { get; init; }
        public required Action<Tensor?> Set { get; init; }

        public static Swap Of(Func<Tensor?> get, Action<Tensor?> set)
        {
            var original = get();
            if (original is null || original.is_contiguous()) return new Swap { Get = get, Set = set };
            set(original.contiguous().DetachFromDisposeScope());
            return new Swap { Original = original, Get = get, Set = set };
        }
    }

    sealed class Restore(List<Swap> swaps) : IDisposable
    {
        public void Dispose()
        {
            using var _ = no_grad();
            foreach (var s in swaps)
            {
                var standIn = s.Get();
                if (standIn is not null && !ReferenceEquals(standIn, s.Original))
                {
                    s.Original!.copy_(standIn);
                    standIn.Dispose();
                }
                s.Set(s.Original);
            }
            swaps.Clear();
        }
    }
}
