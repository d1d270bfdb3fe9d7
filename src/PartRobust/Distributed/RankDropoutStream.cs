using System.Security.Cryptography;
using static TorchSharp.torch;

namespace PartRobust.Distributed;

/// <summary>
/// A stream of torch's global generator (where dropout draws its masks) of this rank's own, for one training step.
/// Every rank enters with the same state S (they draw the same things); inside, rank r uses a state seeded from (S, r),
/// so ranks holding equally many rows do not draw the same masks for different images; on leaving, every rank moves to
/// one state seeded from S, so the ranks agree again and a resume point (rank 0's) is every rank's.
/// A model with dropout then draws other masks than one process would (which draws them for the whole batch at once),
/// so such a model trains like one process only in distribution; models without dropout never enter.
/// </summary>
public sealed class RankDropoutStream : IDisposable
{
    readonly byte[] entered;

    RankDropoutStream(ICommunicator communicator)
    {
        entered = RandomState.SaveGlobal();
        manual_seed(Seed(entered, communicator.Rank));
    }

    /// <summary>This rank's stream until disposed.</summary>
    public static RankDropoutStream Enter(ICommunicator communicator) => new(communicator);

    /// <inheritdoc />
    public void Dispose() => manual_seed(Seed(entered, -1));

    /// <summary>A seed from the state and a tag: the first 8 bytes of their SHA-256.</summary>
    static long Seed(byte[] state, int tag)
    {
        var hash = SHA256.HashData([.. state, .. BitConverter.GetBytes(tag)]);
        return BitConverter.ToInt64(hash, 0) & long.MaxValue;
    }
}
