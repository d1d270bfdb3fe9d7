using static TorchSharp.torch;

namespace PartRobust.Models;

/// <summary>
/// Puts a module in eval mode and restores its previous train/eval mode on dispose:
/// <c>using (EvalMode.Enter(model)) { … }</c>. Attacks, evaluation and FLOP counting all need this.
/// </summary>
public readonly struct EvalMode : IDisposable
{
    readonly nn.Module module;
    readonly bool wasTraining;

    EvalMode(nn.Module module)
    {
        this.module = module;
        wasTraining = module.training;
        module.eval();
    }

    /// <summary>Switches <paramref name="module"/> to eval mode until the result is disposed.</summary>
    public static EvalMode Enter(nn.Module module) => new(module);

    /// <summary>Restores the mode the module had before <see cref="Enter"/>.</summary>
    public void Dispose() => module.train(wasTraining);
}
