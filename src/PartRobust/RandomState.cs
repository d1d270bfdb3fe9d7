using static TorchSharp.torch;

namespace PartRobust;

/// <summary>
/// Saves and restores the state of a torch <see cref="Generator"/> as bytes, so that a resumed training run draws the
/// same random numbers as an uninterrupted one.
/// </summary>
public static class RandomState
{
    /// <summary>The generator's state (for the CPU generator: the Mersenne-Twister state, about 5 kB).</summary>
    public static byte[] Save(Generator generator)
    {
        using var state = generator.get_state();
        using var cpu = state.cpu().contiguous();
        return cpu.bytes.ToArray();
    }

    /// <summary>Sets <paramref name="generator"/> to a state from <see cref="Save(Generator)"/>.</summary>
    public static void Restore(Generator generator, byte[] state)
    {
        using var t = empty(state.Length, dtype: ScalarType.Byte);
        t.bytes = state;
        generator.set_state(t);
    }

    /// <summary>A generator seeded with <paramref name="seed"/> on <paramref name="device"/>, then set to <paramref name="state"/> when given.</summary>
    public static Generator Create(long seed, Device device, byte[]? state)
    {
        var g = new Generator((ulong)seed, device);
        if (state is not null) Restore(g, state);
        return g;
    }

    /// <summary>The state of torch's global (default CPU) generator, which e.g. dropout layers draw from.</summary>
    public static byte[] SaveGlobal()
    {
        using var g = Generator.Default; // a new handle on the shared generator; disposing it releases the handle only
        return Save(g);
    }

    /// <summary>Restores torch's global generator.</summary>
    public static void RestoreGlobal(byte[] state)
    {
        using var g = Generator.Default;
        Restore(g, state);
    }
}
