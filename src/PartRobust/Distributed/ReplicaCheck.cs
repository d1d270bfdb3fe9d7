using System.Security.Cryptography;
using static TorchSharp.torch;

namespace PartRobust.Distributed;

/// <summary>
/// Whether every rank holds the same bits in its copy of some tensors (the model's weights in data-parallel training):
/// each rank hashes its tensors, the hashes are gathered, and all ranks compare them, so all ranks reach the same answer.
/// Cheap next to an epoch (one pass over the weights), and it turns a silent divergence of the replicas into an error.
/// </summary>
public static class ReplicaCheck
{
    /// <summary>The ranks whose tensors differ from rank 0's (empty when all agree; always empty for one rank).</summary>
    public static IReadOnlyList<int> RanksDifferingFromRoot(IEnumerable<Tensor> tensors, ICommunicator communicator)
    {
        if (communicator.Size == 1) return [];
        var hashes = communicator.AllGather(Hash(tensors));
        return Enumerable.Range(1, communicator.Size - 1).Where(r => !hashes[r].AsSpan().SequenceEqual(hashes[0])).ToList();
    }

    /// <summary>SHA-256 of the tensors' shapes and bytes, in order.</summary>
    public static byte[] Hash(IEnumerable<Tensor> tensors)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var scope = NewDisposeScope();
        foreach (var t in tensors)
        {
            foreach (long d in t.shape) hash.AppendData(BitConverter.GetBytes(d));
            using var c = t.detach().cpu().contiguous();
            hash.AppendData(TensorSpans.Bytes(c));
        }
        return hash.GetHashAndReset();
    }
}
