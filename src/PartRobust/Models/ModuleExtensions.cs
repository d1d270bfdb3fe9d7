using static TorchSharp.torch.nn;

namespace PartRobust.Models;

/// <summary>Small helpers on TorchSharp modules.</summary>
public static class ModuleExtensions
{
    /// <summary>Number of trainable parameters (elements of parameters with <c>requires_grad</c>), BN weight and bias included.</summary>
    public static long ParameterCount(this Module module) =>
        module.parameters().Where(p => p.requires_grad).Sum(p => p.numel());
}
